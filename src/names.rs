//! The syntax Kubernetes and DNS impose on names, as predicates. `check`
//! uses them to refuse bad input; the plan's tests use them to prove that the
//! names it derives are valid.

/// RFC 1123 label: lower-case alphanumerics and `-`, at most 63 characters.
pub fn is_dns_label(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        && !s.starts_with('-')
        && !s.ends_with('-')
}

/// A label value: at most 63 alphanumerics, `-`, `_` and `.`, starting and
/// ending with an alphanumeric (empty is allowed).
pub fn is_label_value(s: &str) -> bool {
    s.len() <= 63
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'-' | b'_' | b'.'))
        && (s.is_empty()
            || s.starts_with(|c: char| c.is_ascii_alphanumeric())
                && s.ends_with(|c: char| c.is_ascii_alphanumeric()))
}

/// IANA service name, what Kubernetes requires of a port name.
pub fn is_port_name(s: &str) -> bool {
    is_dns_label(s)
        && s.len() <= 15
        && s.bytes().any(|b| b.is_ascii_lowercase())
        && !s.contains("--")
}

/// A name `envFrom` accepts as an environment variable.
pub fn is_env_name(s: &str) -> bool {
    !s.is_empty()
        && !s.starts_with(|c: char| c.is_ascii_digit())
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'_' || b == b'-' || b == b'.')
}

/// An IPv4 range with its prefix length, `10.0.0.0/8`.
pub fn is_ipv4_cidr(s: &str) -> bool {
    let Some((ip, bits)) = s.split_once('/') else {
        return false;
    };
    let octets: Vec<&str> = ip.split('.').collect();
    octets.len() == 4
        && octets
            .iter()
            .all(|o| !o.is_empty() && o.parse::<u8>().is_ok())
        && bits.parse::<u8>().is_ok_and(|b| b <= 32)
}

/// A DNS name: dot-separated RFC 1123 labels.
pub fn is_hostname(s: &str) -> bool {
    s.split('.').all(is_dns_label)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_kubernetes_rules() {
        assert!(is_dns_label("orbit-www"));
        assert!(!is_dns_label("Orbit"));
        assert!(!is_dns_label("-x"));
        assert!(is_port_name("http-metrics"));
        assert!(!is_port_name("http-metrics-port"));
        assert!(!is_port_name("8080"));
        assert!(is_hostname("orbit.hoytlabs.app"));
        assert!(!is_hostname("orbit..app"));
    }

    #[test]
    fn cidrs_are_ipv4_with_a_prefix() {
        assert!(is_ipv4_cidr("10.0.0.0/8"));
        assert!(is_ipv4_cidr("0.0.0.0/0"));
        assert!(!is_ipv4_cidr("10.0.0.0"));
        assert!(!is_ipv4_cidr("10.0.0.256/8"));
        assert!(!is_ipv4_cidr("10.0.0.0/33"));
    }
}
