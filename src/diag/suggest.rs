//! "Did you mean": the closest of the names a field accepts, by edit
//! distance, when it is close enough to be the name the user meant.

/// The candidate closest to `name`, when it is close enough to be a typo:
/// at most a third of the name's length away (and at least one edit).
pub fn suggest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (name.chars().count() / 3).max(1);
    candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .filter(|(d, _)| *d <= limit)
        .min_by_key(|(d, c)| (*d, *c))
        .map(|(_, c)| c)
}

/// A help line: "did you mean `x`?" when a candidate is close, else the
/// list of candidates after `fallback`.
pub fn did_you_mean<'a>(
    name: &str,
    candidates: impl IntoIterator<Item = &'a str> + Clone,
    fallback: &str,
) -> String {
    match suggest(name, candidates.clone()) {
        Some(s) => format!("did you mean `{s}`?"),
        None => {
            let all: Vec<&str> = candidates.into_iter().collect();
            if all.is_empty() {
                format!("{fallback} (none is declared)")
            } else {
                format!("{fallback}: {}", all.join(", "))
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn close_names_are_suggested_far_ones_are_not() {
        let fields = ["secrets", "secret_sources", "services", "replicas"];
        assert_eq!(suggest("secret", fields), Some("secrets"));
        assert_eq!(suggest("replcas", fields), Some("replicas"));
        assert_eq!(suggest("colour", fields), None);
        assert_eq!(
            did_you_mean("redsi", ["redis", "mongodb"], "use one of"),
            "did you mean `redis`?"
        );
        assert_eq!(
            did_you_mean("x", ["redis"], "use one of"),
            "use one of: redis"
        );
    }
}
