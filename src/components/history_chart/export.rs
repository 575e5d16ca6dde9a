//! "Save PNG": the canvas as it is drawn, downloaded under a name that says
//! which market and when.

use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

use crate::components::format;

/// The file name of a saved chart: `regime-BTCUSDT-1h-20251009T130000Z.png`.
pub fn png_name(symbol: &str, timeframe: &str, wall_ms: i64) -> String {
    let clean = |s: &str| -> String {
        s.chars()
            .map(|c| {
                if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                    c
                } else {
                    '_'
                }
            })
            .collect()
    };
    format!(
        "regime-{}-{}-{}.png",
        clean(symbol),
        clean(timeframe),
        format::file_stamp(wall_ms)
    )
}

/// Downloads the canvas as a PNG with a file name that says what it is.
pub fn save_png(canvas: &web_sys::HtmlCanvasElement, name: &str) -> Result<(), JsValue> {
    let url = canvas.to_data_url_with_type("image/png")?;
    let doc = web_sys::window()
        .and_then(|w| w.document())
        .ok_or("no document")?;
    let a: web_sys::HtmlAnchorElement = doc.create_element("a")?.dyn_into()?;
    a.set_href(&url);
    a.set_download(name);
    a.set_hidden(true);
    let body = doc.body().ok_or("no body")?;
    body.append_child(&a)?;
    a.click();
    body.remove_child(&a)?;
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[cfg_attr(not(target_arch = "wasm32"), test)]
    #[cfg_attr(target_arch = "wasm32", wasm_bindgen_test::wasm_bindgen_test)]
    fn png_names_say_what_and_when() {
        assert_eq!(
            png_name("BTCUSDT", "1h", 1_760_014_800_000),
            "regime-BTCUSDT-1h-20251009T130000Z.png"
        );
        assert_eq!(
            png_name("BTC/USD", "1h", 0),
            "regime-BTC_USD-1h-19700101T000000Z.png"
        );
    }
}
