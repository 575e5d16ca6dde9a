//! The signals list as a CSV file: "Export CSV".
//!
//! The file holds the rows the list holds (all that are published, not only
//! the drawn ones) that pass the list's filters, newest first as on screen.
//! It follows RFC 4180: a header line, fields separated by commas, records
//! ended by CRLF, a field quoted when it holds a comma, a quote, CR or LF,
//! and a quote inside a quoted field doubled. Times are ISO 8601 in UTC with
//! milliseconds (`2025-10-09T13:00:00.000Z`), whatever zone the page shows,
//! so that a file means the same on every machine.
//!
//! A spreadsheet reads a cell that begins with `=`, `+`, `-` or `@` (and,
//! in some programs, a tab or a carriage return) as a formula, so a note
//! from a backend could run one on the trader's machine. Every field that
//! carries backend text is neutralised as OWASP's "CSV injection" page
//! advises: a leading `'` makes the spreadsheet show it as text. Numbers
//! are written by this module from `f64`s, so they cannot hold a formula;
//! a negative price stays a number.
//!
//! The file carries nothing but signal fields: no URL, no setting, so no
//! token can reach it.

use regime_core::model::Timestamp;

use crate::market::SignalRow;

/// The header line's column names, in order.
pub const CSV_COLUMNS: [&str; 10] = [
    "id",
    "time_utc",
    "symbol",
    "timeframe",
    "side",
    "price",
    "strategy",
    "confidence",
    "note",
    "before_restart",
];

/// RFC 4180's record separator.
const CRLF: &str = "\r\n";

/// The CSV text of the rows of `rows` (newest first, as published) that
/// `shown` lets through: the header line, then one record per row, each
/// ended by CRLF.
pub fn signals_csv(rows: &[SignalRow], shown: impl Fn(&SignalRow) -> bool) -> String {
    let mut out = String::with_capacity(64 + rows.len() * 96);
    out.push_str(&CSV_COLUMNS.join(","));
    out.push_str(CRLF);
    for row in rows.iter().filter(|r| shown(r)) {
        let s = &row.signal;
        let fields = [
            s.id.to_string(),
            s.timestamp.to_rfc3339(),
            text_cell(&s.symbol),
            text_cell(&s.timeframe),
            text_cell(s.side.as_str()),
            number_cell(s.price),
            s.strategy.as_deref().map(text_cell).unwrap_or_default(),
            s.confidence.map(number_cell).unwrap_or_default(),
            s.note.as_deref().map(text_cell).unwrap_or_default(),
            row.before_restart.to_string(),
        ];
        for (i, field) in fields.iter().enumerate() {
            if i > 0 {
                out.push(',');
            }
            push_quoted(&mut out, field);
        }
        out.push_str(CRLF);
    }
    out
}

/// A field of backend text, neutralised when a spreadsheet would read it as
/// a formula.
pub fn text_cell(text: &str) -> String {
    if text.starts_with(['=', '+', '-', '@', '\t', '\r']) {
        format!("'{text}")
    } else {
        text.to_string()
    }
}

/// A number as Rust writes it (shortest text that reads back the same), or
/// an empty field when it is not finite.
fn number_cell(v: f64) -> String {
    if v.is_finite() {
        v.to_string()
    } else {
        String::new()
    }
}

/// Appends `field`, quoted when RFC 4180 asks for it.
fn push_quoted(out: &mut String, field: &str) {
    if field.contains([',', '"', '\r', '\n']) {
        out.push('"');
        out.push_str(&field.replace('"', "\"\""));
        out.push('"');
    } else {
        out.push_str(field);
    }
}

/// The file's name, after the view and the time of the export (UTC):
/// `signals-BTCUSDT-short-20251009T130000Z.csv`, with `all` for a filter
/// that lets everything through. A name from a backend keeps only letters,
/// digits, `.`, `_` and `-` (at most 32 of them), so that no file system
/// or download dialog is surprised by it.
pub fn csv_file_name(symbol_filter: &str, side_filter: &str, now_ms: i64) -> String {
    let part = |filter: &str| {
        let clean: String = filter
            .chars()
            .filter(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-'))
            .take(32)
            .collect();
        if clean.is_empty() {
            "all".to_string()
        } else {
            clean
        }
    };
    format!(
        "signals-{}-{}-{}.csv",
        part(symbol_filter),
        part(side_filter),
        file_stamp(now_ms)
    )
}

/// A UTC instant fit for a file name (no colons): `20251009T130000Z`.
pub fn file_stamp(ms: i64) -> String {
    let iso = Timestamp(ms).to_rfc3339();
    let head: String = iso
        .chars()
        .take(19)
        .filter(|c| *c != '-' && *c != ':')
        .collect();
    format!("{head}Z")
}

#[cfg(test)]
mod tests {
    use super::*;
    use regime_core::model::{Side, Signal};

    const T: i64 = 1_760_014_800_000; // 2025-10-09T13:00:00Z

    fn row(id: u64, side: Side, note: Option<&str>) -> SignalRow {
        SignalRow {
            signal: Signal {
                id,
                symbol: "BTCUSDT".into(),
                timeframe: "1h".into(),
                side,
                price: 64210.5,
                timestamp: Timestamp(T + id as i64 * 1000),
                strategy: Some("adx_di_cross".into()),
                confidence: Some(0.72),
                note: note.map(str::to_string),
            },
            received_at: 0.0,
            run: 0,
            before_restart: false,
        }
    }

    fn lines(csv: &str) -> Vec<&str> {
        csv.split_terminator("\r\n").collect()
    }

    #[test]
    fn a_plain_row_has_every_column_and_its_time_in_utc() {
        let csv = signals_csv(&[row(7, Side::Long, Some("DI+ over DI-"))], |_| true);
        assert_eq!(
            lines(&csv),
            [
                "id,time_utc,symbol,timeframe,side,price,strategy,confidence,note,before_restart",
                "7,2025-10-09T13:00:07.000Z,BTCUSDT,1h,long,64210.5,adx_di_cross,0.72,DI+ over DI-,false",
            ]
        );
        assert!(csv.ends_with("\r\n"), "every record ends with CRLF");
    }

    #[test]
    fn quotes_commas_and_newlines_are_quoted_as_rfc_4180_says() {
        for (note, field) in [
            ("a, b", "\"a, b\""),
            ("say \"hi\"", "\"say \"\"hi\"\"\""),
            ("two\nlines", "\"two\nlines\""),
            ("cr\r\nlf", "\"cr\r\nlf\""),
            ("plain", "plain"),
        ] {
            let csv = signals_csv(&[row(1, Side::Long, Some(note))], |_| true);
            let record = csv.split_once("\r\n").unwrap().1;
            let want = format!(
                "1,2025-10-09T13:00:01.000Z,BTCUSDT,1h,long,64210.5,adx_di_cross,0.72,{field},false\r\n"
            );
            assert_eq!(record, want, "{note:?}");
        }
    }

    #[test]
    fn a_cell_that_a_spreadsheet_would_run_is_neutralised() {
        for (text, want) in [
            ("=HYPERLINK(\"http://x\")", "'=HYPERLINK(\"http://x\")"),
            ("+1+1", "'+1+1"),
            ("-2+3", "'-2+3"),
            ("@SUM(A1)", "'@SUM(A1)"),
            ("\t=1", "'\t=1"),
            ("\r=1", "'\r=1"),
            ("a=1", "a=1"),
            (" =1", " =1"),
            ("", ""),
        ] {
            assert_eq!(text_cell(text), want, "{text:?}");
        }
        // Through the whole file: the formula arrives quoted and neutralised,
        // in the symbol and strategy columns as in the note.
        let mut r = row(2, Side::Other("=side".into()), Some("=1+2,\"x\""));
        r.signal.symbol = "@BTC".into();
        r.signal.strategy = Some("-ddd".into());
        let csv = signals_csv(&[r], |_| true);
        assert!(
            csv.contains(",'@BTC,1h,'=side,64210.5,'-ddd,0.72,\"'=1+2,\"\"x\"\"\",false\r\n"),
            "{csv}"
        );
    }

    #[test]
    fn numbers_stay_numbers_and_missing_values_are_empty() {
        let mut r = row(3, Side::Short, None);
        r.signal.price = -0.000123;
        r.signal.strategy = None;
        r.signal.confidence = None;
        r.before_restart = true;
        let csv = signals_csv(&[r.clone()], |_| true);
        assert!(csv.ends_with(",short,-0.000123,,,,true\r\n"), "{csv}");
        r.signal.price = f64::NAN;
        let csv = signals_csv(&[r], |_| true);
        assert!(csv.ends_with(",short,,,,,true\r\n"), "{csv}");
    }

    #[test]
    fn only_rows_that_pass_the_filters_in_the_lists_order() {
        let rows: Vec<SignalRow> = (1..=6u64)
            .rev()
            .map(|id| row(id, if id % 2 == 0 { Side::Short } else { Side::Long }, None))
            .collect();
        let csv = signals_csv(&rows, |r| r.signal.side == Side::Short);
        let ids: Vec<&str> = lines(&csv)[1..]
            .iter()
            .map(|l| l.split(',').next().unwrap())
            .collect();
        assert_eq!(ids, ["6", "4", "2"]);
        assert_eq!(lines(&signals_csv(&[], |_| true)).len(), 1, "header only");
    }

    #[test]
    fn the_file_is_named_after_the_view_and_the_time() {
        assert_eq!(
            csv_file_name("", "", T),
            "signals-all-all-20251009T130000Z.csv"
        );
        assert_eq!(
            csv_file_name("BTCUSDT", "short", T + 61_000),
            "signals-BTCUSDT-short-20251009T130101Z.csv"
        );
        assert_eq!(
            csv_file_name("../e vil/\u{202e}", "", T),
            "signals-..evil-all-20251009T130000Z.csv"
        );
        assert_eq!(file_stamp(T), "20251009T130000Z");
    }
}
