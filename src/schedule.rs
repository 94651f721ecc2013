//! CronJob schedules, as Kubernetes reads them: validated by the grammar of
//! the CronJob controller's parser (robfig/cron `ParseStandard`), and
//! measured (the longest interval between two runs) with the croner crate.
//!
//! The grammar is checked here first because croner accepts more than
//! Kubernetes does (`L`, `W`, `#`, seconds and year fields, day of week 7),
//! and a schedule the API server refuses must be refused at compile time.

use croner::Cron;
use croner::parser::{CronParser, Seconds, Year};
use jiff::civil::DateTime;

/// The descriptors the controller accepts, and what they stand for.
const DESCRIPTORS: &[(&str, &str)] = &[
    ("@yearly", "0 0 1 1 *"),
    ("@annually", "0 0 1 1 *"),
    ("@monthly", "0 0 1 * *"),
    ("@weekly", "0 0 * * 0"),
    ("@daily", "0 0 * * *"),
    ("@midnight", "0 0 * * *"),
    ("@hourly", "0 * * * *"),
];

const MONTHS: &[&str] = &[
    "JAN", "FEB", "MAR", "APR", "MAY", "JUN", "JUL", "AUG", "SEP", "OCT", "NOV", "DEC",
];
const DAYS: &[&str] = &["SUN", "MON", "TUE", "WED", "THU", "FRI", "SAT"];

/// A field's name, bounds and the names its values may take.
struct Field {
    name: &'static str,
    min: u32,
    max: u32,
    names: &'static [&'static str],
}

const FIELDS: [Field; 5] = [
    Field {
        name: "minute",
        min: 0,
        max: 59,
        names: &[],
    },
    Field {
        name: "hour",
        min: 0,
        max: 23,
        names: &[],
    },
    Field {
        name: "day of month",
        min: 1,
        max: 31,
        names: &[],
    },
    Field {
        name: "month",
        min: 1,
        max: 12,
        names: MONTHS,
    },
    Field {
        name: "day of week",
        min: 0,
        max: 6,
        names: DAYS,
    },
];

/// The five-field form of a schedule: a descriptor expanded, fields as
/// written.
fn expand(schedule: &str) -> Result<String, String> {
    let s = schedule.trim();
    if s.contains("TZ") {
        return Err("a schedule cannot name its time zone (TZ=, CRON_TZ=)".into());
    }
    if let Some(d) = s.strip_prefix('@') {
        return DESCRIPTORS
            .iter()
            .find(|(name, _)| name[1..].eq_ignore_ascii_case(d))
            .map(|(_, five)| five.to_string())
            .ok_or_else(|| format!("`{s}` is not a descriptor Kubernetes accepts"));
    }
    Ok(s.to_string())
}

/// A value of a field: a number in bounds, or one of its names.
fn value(field: &Field, v: &str) -> Result<u32, String> {
    if let Some(i) = field.names.iter().position(|n| n.eq_ignore_ascii_case(v)) {
        return Ok(i as u32 + field.min);
    }
    let n: u32 = v
        .parse()
        .map_err(|_| format!("`{v}` is not a {} value", field.name))?;
    if n < field.min || n > field.max {
        return Err(format!(
            "{} {n} is outside {}–{}",
            field.name, field.min, field.max
        ));
    }
    Ok(n)
}

/// One comma-separated item: `*`, `?`, `a` or `a-b`, optionally `/step`.
fn item(field: &Field, item: &str) -> Result<(), String> {
    let (range, step) = match item.split_once('/') {
        Some((r, s)) => (r, Some(s)),
        None => (item, None),
    };
    if let Some(s) = step {
        match s.parse::<u32>() {
            Ok(n) if n > 0 => {}
            _ => return Err(format!("`{item}`: a step is a positive number")),
        }
    }
    if range == "*" || range == "?" {
        return Ok(());
    }
    match range.split_once('-') {
        Some((a, b)) => {
            let (a, b) = (value(field, a)?, value(field, b)?);
            if a > b {
                return Err(format!("`{item}`: the range starts after it ends"));
            }
        }
        None => {
            value(field, range)?;
        }
    }
    Ok(())
}

/// Whether Kubernetes accepts `schedule`; the reason when it does not.
pub fn validate(schedule: &str) -> Result<(), String> {
    let five = expand(schedule)?;
    let fields: Vec<&str> = five.split_whitespace().collect();
    if fields.len() != 5 {
        return Err(format!(
            "a schedule has five fields (minute hour day-of-month month day-of-week), not {}",
            fields.len()
        ));
    }
    for (field, text) in FIELDS.iter().zip(&fields) {
        for i in text.split(',') {
            item(field, i)?;
        }
    }
    parse(&five).map(|_| ())
}

fn parse(five: &str) -> Result<Cron, String> {
    CronParser::builder()
        .seconds(Seconds::Disallowed)
        .year(Year::Disallowed)
        .sloppy_ranges(true)
        .build()
        .parse(five)
        .map_err(|e| e.to_string())
}

/// Runs looked at when measuring a schedule: enough to cross every
/// period a five-field schedule has within the window.
const RUNS: usize = 20_000;

/// The longest time between two consecutive runs of a valid schedule, in
/// seconds, in the schedule's own wall-clock time (daylight-saving shifts
/// aside), over the leap-year cycle from 2024; None for a schedule that
/// runs less than twice in that cycle.
pub fn max_interval_seconds(schedule: &str) -> Option<u64> {
    let cron = parse(&expand(schedule).ok()?).ok()?;
    let start: DateTime = jiff::civil::date(2024, 1, 1).at(0, 0, 0, 0);
    let mut previous: Option<DateTime> = None;
    let mut longest = 0;
    for run in cron.iter_after(start).take(RUNS) {
        if run.year() >= 2028 {
            break;
        }
        if let Some(p) = previous {
            longest = longest.max(run.duration_since(p).as_secs());
        }
        previous = Some(run);
    }
    (longest > 0).then_some(longest as u64)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kubernetes_schedules_are_accepted() {
        for s in [
            "0 */6 * * *",
            "5/15 * * * *",
            "0 3 * * 0",
            "@daily",
            "@Weekly",
            "0 0 * * MON-FRI",
            "0 0 1,15 jan-jun ?",
            "*/5 9-17 * * 1-5",
        ] {
            assert_eq!(validate(s), Ok(()), "{s}");
        }
    }

    #[test]
    fn what_the_controller_refuses_is_refused() {
        for s in [
            "* * * * 7",
            "0 0 L * *",
            "0 0 * * 5#3",
            "0 0 * * *  *",
            "*/0 * * * *",
            "60 * * * *",
            "0 0 31-1 * *",
            "TZ=UTC 0 0 * * *",
            "@every 1h",
            "/10 * * * *",
            "",
        ] {
            assert!(validate(s).is_err(), "{s}");
        }
    }

    #[test]
    fn the_longest_interval_follows_the_schedule() {
        assert_eq!(max_interval_seconds("0 */6 * * *"), Some(6 * 3600));
        assert_eq!(max_interval_seconds("0 3 * * 0"), Some(7 * 86400));
        assert_eq!(max_interval_seconds("@daily"), Some(86400));
        // Friday to Monday.
        assert_eq!(max_interval_seconds("0 0 * * MON-FRI"), Some(3 * 86400));
        // Day of month or day of week, as cron reads both.
        assert_eq!(max_interval_seconds("0 0 1,15 * 1"), Some(7 * 86400));
        // Within the day, then across the month.
        assert_eq!(max_interval_seconds("*/5 * 1 * *"), Some(30 * 86400 + 300));
        assert_eq!(max_interval_seconds("0 0 29 2 *"), None);
    }
}
