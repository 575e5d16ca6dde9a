//! How times read on the page, in UTC or in the trader's own zone.
//!
//! The trader picks one with the "UTC" control, and every time on the page
//! follows it: the signals list, the toasts, the chart's axis, the
//! sparklines' readouts. This module has no browser: the zone arrives as an
//! offset, in minutes, as JavaScript's `Date.getTimezoneOffset()` gives it
//! for the instant (UTC minus local time: `-120` in Paris in summer), and
//! the caller passes `0` for UTC. Every instant a backend may send is
//! formatted without overflow.

use regime_core::model::Timestamp;

const DAY_MS: i64 = 86_400_000;

/// Where the page's times are shown.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum TimeZoneChoice {
    /// This computer's zone (the default).
    #[default]
    Local,
    /// Coordinated Universal Time, the exchanges' clock.
    Utc,
}

impl TimeZoneChoice {
    /// What is stored in `localStorage`: `utc` or `local`.
    pub fn as_str(self) -> &'static str {
        match self {
            TimeZoneChoice::Local => "local",
            TimeZoneChoice::Utc => "utc",
        }
    }

    /// A stored value read back; anything else is the default.
    pub fn parse(text: &str) -> TimeZoneChoice {
        match text {
            "utc" => TimeZoneChoice::Utc,
            _ => TimeZoneChoice::Local,
        }
    }

    /// The offset to format an instant with: `browser_offset_min` for
    /// local time, `0` in UTC.
    pub fn offset_min(self, browser_offset_min: i32) -> i32 {
        match self {
            TimeZoneChoice::Local => browser_offset_min,
            TimeZoneChoice::Utc => 0,
        }
    }

    /// The zone in words, as the page says it beside its times: `UTC`, or
    /// the local zone's distance from it (`UTC+02:00`, `UTC-05:30`).
    pub fn name(self, browser_offset_min: i32) -> String {
        match self {
            TimeZoneChoice::Utc => "UTC".to_string(),
            TimeZoneChoice::Local => {
                // JavaScript's sign is the other way round.
                let east = -i64::from(browser_offset_min);
                let sign = if east < 0 { '-' } else { '+' };
                let a = east.abs();
                format!("UTC{sign}{:02}:{:02}", a / 60, a % 60)
            }
        }
    }
}

/// The instant as the shown zone's wall clock, in epoch ms.
fn shifted(ms: i64, offset_min: i32) -> i64 {
    // Saturating: a backend may send any i64 as a timestamp.
    ms.saturating_sub(i64::from(offset_min).saturating_mul(60_000))
}

/// `HH:MM:SS` of an instant in the zone of `offset_min`.
pub fn clock_hms(ms: i64, offset_min: i32) -> String {
    let secs_of_day = shifted(ms, offset_min).rem_euclid(DAY_MS) / 1000;
    format!(
        "{:02}:{:02}:{:02}",
        secs_of_day / 3600,
        (secs_of_day % 3600) / 60,
        secs_of_day % 60
    )
}

/// `YYYY-MM-DD` of an instant in the zone of `offset_min`.
pub fn date(ms: i64, offset_min: i32) -> String {
    let iso = Timestamp(shifted(ms, offset_min)).to_rfc3339();
    // `…-DDTHH:MM:SS.mmmZ`: the date is all before the `T`, whatever the
    // year's width.
    iso.split('T').next().unwrap_or_default().to_string()
}

/// The day number (since 1970-01-01) of an instant in the zone of
/// `offset_min`.
fn day(ms: i64, offset_min: i32) -> i64 {
    shifted(ms, offset_min).div_euclid(DAY_MS)
}

/// A signal's time in the list: `HH:MM:SS` when it is from today, else its
/// date too, to the minute: `10-08 23:59` from this year (the list's column
/// is narrow), `2024-10-08 23:59` from another. Each instant comes with the
/// offset of its own moment (`offset_min` for the signal, `now_offset_min`
/// for now), so that a change to or from daylight saving between the two
/// does not move a signal into another day.
pub fn signal_time(ms: i64, offset_min: i32, now_ms: i64, now_offset_min: i32) -> String {
    if day(ms, offset_min) == day(now_ms, now_offset_min) {
        return clock_hms(ms, offset_min);
    }
    let (when, today) = (date(ms, offset_min), date(now_ms, now_offset_min));
    let hm = &clock_hms(ms, offset_min)[..5];
    // The year is all before the last two dashes, whatever its width; the
    // date ends in `MM-DD`, ASCII.
    let year = |d: &str| d.rsplitn(3, '-').nth(2).map(str::to_string);
    if year(&when) == year(&today) {
        format!("{} {hm}", &when[when.len() - 5..])
    } else {
        format!("{when} {hm}")
    }
}

/// A time to the minute, as the widget says when a regime began: `12:40`
/// from today, `2025-10-08 12:40` before (offsets as for [`signal_time`]).
pub fn minute_time(ms: i64, offset_min: i32, now_ms: i64, now_offset_min: i32) -> String {
    let hm = &clock_hms(ms, offset_min)[..5];
    if day(ms, offset_min) == day(now_ms, now_offset_min) {
        hm.to_string()
    } else {
        format!("{} {hm}", date(ms, offset_min))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const T: i64 = 1_760_014_800_000; // 2025-10-09T13:00:00Z, a Thursday
    const HOUR: i64 = 3_600_000;

    #[test]
    fn the_choice_is_stored_as_a_word_and_read_back_leniently() {
        for c in [TimeZoneChoice::Local, TimeZoneChoice::Utc] {
            assert_eq!(TimeZoneChoice::parse(c.as_str()), c);
        }
        assert_eq!(TimeZoneChoice::parse("UTC\0junk"), TimeZoneChoice::Local);
        assert_eq!(TimeZoneChoice::default(), TimeZoneChoice::Local);
    }

    #[test]
    fn utc_ignores_the_browsers_zone_and_local_follows_it() {
        assert_eq!(TimeZoneChoice::Utc.offset_min(-120), 0);
        assert_eq!(TimeZoneChoice::Local.offset_min(-120), -120);
        for (choice, offset, want) in [
            (TimeZoneChoice::Utc, -120, "UTC"),
            (TimeZoneChoice::Local, -120, "UTC+02:00"),
            (TimeZoneChoice::Local, 300, "UTC-05:00"),
            (TimeZoneChoice::Local, -330, "UTC+05:30"),
            (TimeZoneChoice::Local, 0, "UTC+00:00"),
            (TimeZoneChoice::Local, i32::MIN, "UTC+35791394:08"),
        ] {
            assert_eq!(choice.name(offset), want, "{choice:?} {offset}");
        }
    }

    #[test]
    fn clock_and_date_in_a_zone() {
        assert_eq!(clock_hms(T, 0), "13:00:00");
        assert_eq!(clock_hms(T, -120), "15:00:00");
        assert_eq!(clock_hms(T, 300), "08:00:00");
        assert_eq!(clock_hms(T + 61_500, 0), "13:01:01");
        assert_eq!(clock_hms(0, 60), "23:00:00");
        assert_eq!(date(T, 0), "2025-10-09");
        assert_eq!(date(T + 11 * HOUR, -120), "2025-10-10", "00:00 in UTC+2");
        assert_eq!(date(0, 60), "1969-12-31");
    }

    #[test]
    fn a_signal_from_today_shows_its_time_and_an_older_one_its_date() {
        // (signal, its offset, now, now's offset, shown)
        for (ms, offset, now, now_offset, want) in [
            (T, 0, T + HOUR, 0, "13:00:00"),
            (T, 0, T + 11 * HOUR - 1, 0, "13:00:00"),
            (T, 0, T + 11 * HOUR, 0, "10-09 13:00"),
            (T - 14 * HOUR, 0, T, 0, "10-08 23:00"),
            // From another year: the year too.
            (T - 300 * 24 * HOUR, 0, T, 0, "2024-12-13 13:00"),
            (0, 0, T, 0, "1970-01-01 00:00"),
            // 23:00 UTC yesterday is 01:00 today in UTC+2.
            (T - 14 * HOUR, -120, T, -120, "01:00:00"),
            // 14:00 UTC is 00:00 tomorrow in UTC+10, while it is 23:00 now.
            (T + HOUR, -600, T, -600, "10-10 00:00"),
            // Summer time ended overnight: 23:30 UTC+2 yesterday evening…
            (T - 15 * HOUR - 30 * 60_000, -120, T, -60, "10-08 23:30"),
            // …and 01:30 UTC+2 this morning, before the clocks went back.
            (T - 14 * HOUR + 30 * 60_000, -120, T, -60, "01:30:00"),
        ] {
            assert_eq!(
                signal_time(ms, offset, now, now_offset),
                want,
                "{ms} {offset} {now} {now_offset}"
            );
        }
    }

    #[test]
    fn a_minute_time_has_its_date_when_it_is_not_from_today() {
        assert_eq!(minute_time(T + 61_000, 0, T + HOUR, 0), "13:01");
        assert_eq!(minute_time(T - 14 * HOUR, 0, T, 0), "2025-10-08 23:00");
        assert_eq!(minute_time(T - 14 * HOUR, -120, T, -120), "01:00");
    }

    #[test]
    fn any_instant_a_backend_sends_formats_without_overflow() {
        for ms in [i64::MIN, i64::MIN + 1, -1, 0, i64::MAX] {
            for offset in [i32::MIN, -840, 0, 720, i32::MAX] {
                assert_eq!(clock_hms(ms, offset).len(), 8);
                assert!(!date(ms, offset).is_empty());
                assert!(!signal_time(ms, offset, T, offset).is_empty());
            }
        }
    }
}
