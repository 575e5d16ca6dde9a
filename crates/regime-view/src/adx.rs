//! What an ADX value says about trend strength: below 20 no trend, from 20
//! a trend may be forming, from 25 a trend is in place. The gauge, its
//! reading, the ADX sparkline's guides and the history chart's dashed lines
//! all take their thresholds from here.

/// From this ADX on, a trend may be forming.
pub const ADX_EMERGING: f64 = 20.0;

/// From this ADX on, a trend is in place.
pub const ADX_TRENDING: f64 = 25.0;

/// Both thresholds, lowest first, for guide lines.
pub const ADX_THRESHOLDS: [f64; 2] = [ADX_EMERGING, ADX_TRENDING];

/// The band an ADX value falls in.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum AdxBand {
    /// Below [`ADX_EMERGING`].
    NoTrend,
    /// From [`ADX_EMERGING`] to below [`ADX_TRENDING`].
    Emerging,
    /// [`ADX_TRENDING`] or above.
    Trending,
}

impl AdxBand {
    /// The band in a trader's words: `no trend`, `emerging`, `trending`.
    pub fn words(self) -> &'static str {
        match self {
            AdxBand::NoTrend => "no trend",
            AdxBand::Emerging => "emerging",
            AdxBand::Trending => "trending",
        }
    }
}

/// The band of `adx`. A NaN compares with nothing, so it reads as
/// [`AdxBand::NoTrend`]; callers that put words to a value check that it
/// is finite first.
pub fn adx_band(adx: f64) -> AdxBand {
    if adx >= ADX_TRENDING {
        AdxBand::Trending
    } else if adx >= ADX_EMERGING {
        AdxBand::Emerging
    } else {
        AdxBand::NoTrend
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn adx_bands_start_at_20_and_25() {
        for (adx, want) in [
            (0.0, AdxBand::NoTrend),
            (19.99, AdxBand::NoTrend),
            (20.0, AdxBand::Emerging),
            (22.0, AdxBand::Emerging),
            (24.99, AdxBand::Emerging),
            (25.0, AdxBand::Trending),
            (27.0, AdxBand::Trending),
            (100.0, AdxBand::Trending),
            (-5.0, AdxBand::NoTrend),
            (f64::NAN, AdxBand::NoTrend),
            (f64::INFINITY, AdxBand::Trending),
            (f64::NEG_INFINITY, AdxBand::NoTrend),
        ] {
            assert_eq!(adx_band(adx), want, "ADX {adx}");
        }
    }

    #[test]
    fn bands_in_words_and_thresholds_in_order() {
        for (band, want) in [
            (AdxBand::NoTrend, "no trend"),
            (AdxBand::Emerging, "emerging"),
            (AdxBand::Trending, "trending"),
        ] {
            assert_eq!(band.words(), want);
        }
        assert_eq!(ADX_THRESHOLDS, [20.0, 25.0]);
        assert_eq!(adx_band(ADX_THRESHOLDS[0]), AdxBand::Emerging);
        assert_eq!(adx_band(ADX_THRESHOLDS[1]), AdxBand::Trending);
    }
}
