//! The chart's colours: one palette per theme, matching the stylesheet's
//! custom properties, and the shading hue of each regime.

use plotters::style::RGBColor;
use regime_core::model::Regime;

/// The colours of one theme, matching the stylesheet's.
#[derive(Clone, Copy)]
pub struct Palette {
    pub bg: RGBColor,
    pub grid: RGBColor,
    pub axis: RGBColor,
    pub text: RGBColor,
    pub close: RGBColor,
    pub adx: RGBColor,
    pub th20: RGBColor,
    pub th25: RGBColor,
    pub band_alpha: f64,
}

impl Palette {
    pub const DARK: Palette = Palette {
        bg: RGBColor(0x12, 0x16, 0x1f),
        grid: RGBColor(0x22, 0x29, 0x36),
        axis: RGBColor(0x3a, 0x44, 0x55),
        text: RGBColor(0x8b, 0x95, 0xa7),
        close: RGBColor(0xe6, 0xea, 0xf0),
        adx: RGBColor(0x6c, 0xb6, 0xff),
        th20: RGBColor(0x8a, 0x7a, 0x3c),
        th25: RGBColor(0xd9, 0xa4, 0x41),
        band_alpha: 0.16,
    };
    pub const LIGHT: Palette = Palette {
        bg: RGBColor(0xff, 0xff, 0xff),
        grid: RGBColor(0xe8, 0xeb, 0xf0),
        axis: RGBColor(0xc4, 0xca, 0xd4),
        text: RGBColor(0x5a, 0x64, 0x75),
        close: RGBColor(0x1b, 0x22, 0x2e),
        adx: RGBColor(0x1f, 0x6f, 0xd1),
        th20: RGBColor(0xc9, 0xa5, 0x5a),
        th25: RGBColor(0xb7, 0x79, 0x1f),
        band_alpha: 0.14,
    };

    /// The palette of the theme shown.
    pub fn of_theme(light: bool) -> Palette {
        if light {
            Palette::LIGHT
        } else {
            Palette::DARK
        }
    }
}

/// The shading colour of a regime (the same hues as the labels).
pub fn regime_rgb(r: &Regime) -> RGBColor {
    match r {
        Regime::TrendUp => RGBColor(0x2e, 0xbd, 0x85),
        Regime::TrendDown => RGBColor(0xf0, 0x5a, 0x5a),
        Regime::Range => RGBColor(0x5b, 0x8d, 0xef),
        Regime::Volatile => RGBColor(0xe8, 0xa3, 0x3d),
        Regime::Trend => RGBColor(0x2a, 0xb7, 0xb7),
        Regime::Other(_) => RGBColor(0x8b, 0x95, 0xa7),
    }
}
