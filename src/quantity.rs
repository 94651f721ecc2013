//! Kubernetes resource quantities (`100m`, `1.5Gi`, `1e3`), parsed well
//! enough to validate them and compare a request with its limit.

/// The value of a quantity in base units (cores, bytes), or `None` when the
/// text is not a quantity Kubernetes accepts.
pub fn parse(text: &str) -> Option<f64> {
    let digits_end = text
        .char_indices()
        .find(|&(i, c)| !(c.is_ascii_digit() || c == '.' || (i == 0 && (c == '+' || c == '-'))))
        .map_or(text.len(), |(i, _)| i);
    let (number, suffix) = text.split_at(digits_end);
    let unsigned = number.trim_start_matches(['+', '-']);
    if unsigned.is_empty()
        || unsigned == "."
        || unsigned.matches('.').count() > 1
        || unsigned.starts_with('.') && unsigned.len() == 1
    {
        return None;
    }
    let value: f64 = number.parse().ok()?;
    let factor = match suffix {
        "" => 1.0,
        "n" => 1e-9,
        "u" => 1e-6,
        "m" => 1e-3,
        "k" => 1e3,
        "M" => 1e6,
        "G" => 1e9,
        "T" => 1e12,
        "P" => 1e15,
        "E" => 1e18,
        "Ki" => 1024f64,
        "Mi" => 1024f64.powi(2),
        "Gi" => 1024f64.powi(3),
        "Ti" => 1024f64.powi(4),
        "Pi" => 1024f64.powi(5),
        "Ei" => 1024f64.powi(6),
        s if s.starts_with(['e', 'E']) => {
            let exp = &s[1..];
            let digits = exp.trim_start_matches(['+', '-']);
            if digits.is_empty() || !digits.bytes().all(|b| b.is_ascii_digit()) {
                return None;
            }
            10f64.powi(exp.parse::<i32>().ok()?)
        }
        _ => return None,
    };
    // Kubernetes keeps a quantity's value in 64 bits (in milli-units for
    // the scheduler's cpu): anything larger is refused by the API server.
    let v = value * factor;
    (v.is_finite() && v.abs() * 1e3 <= i64::MAX as f64).then_some(v)
}

#[cfg(test)]
mod tests {
    use super::parse;

    #[test]
    fn accepts_kubernetes_forms() {
        assert_eq!(parse("100m"), Some(0.1));
        assert_eq!(parse("2"), Some(2.0));
        assert_eq!(parse("1.5"), Some(1.5));
        assert_eq!(parse("256Mi"), Some(256.0 * 1024.0 * 1024.0));
        assert_eq!(parse("1Gi"), Some(1024.0 * 1024.0 * 1024.0));
        assert_eq!(parse("1e3"), Some(1000.0));
        assert_eq!(parse("5G"), Some(5e9));
    }

    #[test]
    fn rejects_garbage() {
        for bad in [
            "", "m", "1.2.3", "12 Mi", "1MB", "1gi", "abc", "1e", ".", "1e400", "9E",
        ] {
            assert_eq!(parse(bad), None, "{bad:?}");
        }
    }

    #[test]
    fn request_compares_with_limit() {
        assert!(parse("1000m").unwrap() == parse("1").unwrap());
        assert!(parse("512Mi").unwrap() < parse("1Gi").unwrap());
    }
}
