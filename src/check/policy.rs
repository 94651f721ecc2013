//! Policy: the lints (the rules of seed 000 §9.4 that a service could
//! break), the exceptions that excuse them, the platform's scanner
//! exceptions and its Kyverno settings.
//!
//! Each lint is an error with a stable code unless the service states an
//! exception naming the lint and the reason (`[[exceptions]] rule = "…"`);
//! the reason is carried into the rendered objects. An exception that
//! excuses nothing is itself an error, so exceptions stay true.
//!
//! Rules the model cannot break are not lints: every object gets its labels,
//! named ports, requests and limits, and every workload reads only its own
//! Secret, because the compiler writes them.

use std::collections::BTreeSet;
use std::ops::Range;

use super::{Index, one_of};
use crate::diag::{Diagnostic, Diagnostics, SourceFile, did_you_mean};
use crate::load::LoadedService;
use crate::model::policy::{LINTS, lint};
use crate::model::{PlatformFile, ScannerException, ServiceFile};

/// Words of a variable name that mark its value as a credential (the name
/// split at `_`, `-` and `.`; `KEY` only after a word saying what kind).
const SECRET_WORDS: &[&str] = &[
    "PASSWORD",
    "PASSWD",
    "PASS",
    "PWD",
    "SECRET",
    "TOKEN",
    "APIKEY",
    "ACCESSKEY",
    "CREDENTIAL",
    "CREDENTIALS",
];
const KEY_KINDS: &[&str] = &[
    "API",
    "PRIVATE",
    "ACCESS",
    "SECRET",
    "SIGNING",
    "ENCRYPTION",
    "AUTH",
];

/// Prefixes of well-known credential formats, each with the least length of
/// what follows (after gitleaks' rules: Stripe, GitHub, GitLab, Slack, AWS,
/// Google, OpenAI, Anthropic, SendGrid, npm, PyPI, Resend, Doppler).
const TOKEN_PREFIXES: &[(&str, usize)] = &[
    ("sk_live_", 10),
    ("rk_live_", 10),
    ("sk_test_", 10),
    ("ghp_", 30),
    ("gho_", 30),
    ("ghu_", 30),
    ("ghs_", 30),
    ("ghr_", 30),
    ("github_pat_", 30),
    ("glpat-", 20),
    ("xoxb-", 20),
    ("xoxp-", 20),
    ("xoxa-", 20),
    ("AKIA", 16),
    ("ASIA", 16),
    ("AIza", 30),
    ("sk-ant-", 30),
    ("sk-proj-", 30),
    ("SG.", 40),
    ("npm_", 30),
    ("pypi-", 40),
    ("re_", 20),
    ("dp.st.", 30),
    ("dp.pt.", 30),
];

/// Whether `value` holds a known credential format, a private key, or a URL
/// with a password.
fn looks_like_credential(value: &str) -> bool {
    let token = value.split_whitespace().any(|w| {
        TOKEN_PREFIXES.iter().any(|(p, min)| {
            w.strip_prefix(p).is_some_and(|rest| {
                rest.len() >= *min
                    && rest
                        .bytes()
                        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-' | b'.'))
            })
        })
    });
    let private_key = value.contains("-----BEGIN") && value.contains("PRIVATE KEY-----");
    let url_password = value.split("://").nth(1).is_some_and(|rest| {
        let authority = rest.split('/').next().unwrap_or("");
        authority
            .rsplit_once('@')
            .is_some_and(|(userinfo, _)| userinfo.contains(':'))
    });
    token || private_key || url_password
}

/// Shannon entropy of `s` in bits per character.
fn entropy(s: &str) -> f64 {
    let mut counts = [0usize; 256];
    for b in s.bytes() {
        counts[b as usize] += 1;
    }
    let n = s.len() as f64;
    counts
        .iter()
        .filter(|c| **c > 0)
        .map(|c| {
            let p = *c as f64 / n;
            -p * p.log2()
        })
        .sum()
}

/// Whether a word is random enough to be a generated secret: at least 20
/// characters of a base64 or hex alphabet, letters and digits mixed, and
/// the entropy of random text (4 bits a character, 3 for hex).
fn looks_random(word: &str) -> bool {
    let alphabet = word
        .bytes()
        .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'+' | b'/' | b'=' | b'_' | b'-'));
    let mixed =
        word.bytes().any(|b| b.is_ascii_digit()) && word.bytes().any(|b| b.is_ascii_alphabetic());
    let hex = word.bytes().all(|b| b.is_ascii_hexdigit());
    let threshold = if hex { 3.0 } else { 4.0 };
    word.len() >= 20 && alphabet && mixed && entropy(word) >= threshold
}

/// Whether a configuration entry looks like it carries a secret value: a
/// credential-like name with a value, a known credential format, a URL with
/// a password, or a random-looking word, whatever the key is called.
pub fn looks_secret(key: &str, value: &str) -> bool {
    let upper = key.to_ascii_uppercase();
    let words: Vec<&str> = upper.split(['_', '-', '.']).collect();
    let named = words.iter().any(|w| SECRET_WORDS.contains(w))
        || words
            .windows(2)
            .any(|w| KEY_KINDS.contains(&w[0]) && w[1] == "KEY");
    (named && !value.is_empty())
        || looks_like_credential(value)
        || value.split_whitespace().any(looks_random)
}

/// Records which lints a service triggers and reports those not excused.
struct Linter<'a> {
    src: &'a SourceFile,
    excepted: BTreeSet<&'a str>,
    triggered: BTreeSet<&'static str>,
}

impl Linter<'_> {
    fn hit(
        &mut self,
        name: &'static str,
        span: Range<usize>,
        message: String,
        d: &mut Diagnostics,
    ) {
        self.triggered.insert(name);
        if self.excepted.contains(name) {
            return;
        }
        let Some(l) = lint(name) else { return };
        let at_file = span == (0..0);
        let mut diag = Diagnostic::at(
            l.code,
            self.src,
            span,
            format!("{message} (lint `{name}`: {})", l.rule),
            format!(
                "{}, or state an exception: [[exceptions]] rule = \"{name}\" with the reason",
                l.fix
            ),
        );
        if at_file {
            // A missing table has no span: name the field that is missing.
            diag = diag.field(l.field);
        }
        d.push(diag);
    }
}

/// The platform's scanner exceptions (each covering known services, with a
/// real reason) and its Kyverno settings.
pub(super) fn check_platform(ix: &Index<'_>, file: &SourceFile, d: &mut Diagnostics) {
    let p = ix.platform;
    for e in &p.scanner_exceptions {
        check_scanner_exception(ix, e, file, d);
    }
    if let Some(k) = &p.kyverno {
        one_of(&k.failure_action, &["Enforce", "Audit"], file, d);
    }
}

fn check_scanner_exception(
    ix: &Index<'_>,
    e: &ScannerException,
    file: &SourceFile,
    d: &mut Diagnostics,
) {
    let id = e.check.get_ref();
    if id.is_empty()
        || !id
            .bytes()
            .all(|b| b.is_ascii_uppercase() || b.is_ascii_digit() || b == b'_')
    {
        d.push(Diagnostic::at(
            "E0123",
            file,
            e.check.span(),
            format!("`{id}` is not a scanner check id"),
            "write the check's id as the scanner prints it, such as `CKV_K8S_43`",
        ));
    }
    if e.reason.get_ref().trim().len() < 10 || e.reason.get_ref().contains('=') {
        d.push(Diagnostic::at(
            "E0123",
            file,
            e.reason.span(),
            "a scanner exception needs a real reason, without `=`",
            "say in a sentence why the platform does not follow the check",
        ));
    }
    if e.services.get_ref().is_empty() {
        d.push(Diagnostic::at(
            "E0123",
            file,
            e.services.span(),
            "a scanner exception covers no service",
            "name the services it is waived for, or \"*\" for every service",
        ));
    }
    for s in e.services.get_ref() {
        let name = s.get_ref().as_str();
        if name != "*" && !ix.services.contains_key(name) && !ix.unparsed.iter().any(|u| u == name)
        {
            d.push(Diagnostic::at(
                "E0123",
                file,
                s.span(),
                format!("unknown service `{name}`"),
                did_you_mean(
                    name,
                    ix.services.keys().copied(),
                    "name services under services/",
                ),
            ));
        }
    }
}

/// The lints a service breaks, unless it states an exception; and its
/// exceptions, each naming a lint it breaks, with a real reason.
pub(super) fn check_service(svc: &LoadedService, platform: &PlatformFile, d: &mut Diagnostics) {
    let f = &svc.file;
    let mut l = Linter {
        src: &svc.source,
        excepted: f
            .exceptions
            .iter()
            .map(|e| e.rule.get_ref().as_str())
            .collect(),
        triggered: BTreeSet::new(),
    };
    lint_security(&mut l, f, d);
    lint_exposure(&mut l, f, platform, d);
    lint_config_and_health(&mut l, svc, platform, d);
    check_exceptions(&l, svc, d);
}

/// Privilege, root, writable root file system, host network, capabilities.
fn lint_security(l: &mut Linter<'_>, f: &ServiceFile, d: &mut Diagnostics) {
    let Some(sec) = &f.security else { return };
    if let Some(p) = sec.privileged.as_ref().filter(|p| *p.get_ref()) {
        l.hit(
            "privileged",
            p.span(),
            "the container is privileged".into(),
            d,
        );
    }
    if let Some(u) = sec.run_as_user.as_ref().filter(|u| *u.get_ref() == 0) {
        l.hit(
            "run-as-root",
            u.span(),
            "the container runs as root".into(),
            d,
        );
    }
    if let Some(r) = sec
        .read_only_root_filesystem
        .as_ref()
        .filter(|r| !*r.get_ref())
    {
        l.hit(
            "writable-root-fs",
            r.span(),
            "the root file system is writable".into(),
            d,
        );
    }
    if let Some(h) = sec.host_network.as_ref().filter(|h| *h.get_ref()) {
        l.hit(
            "host-network",
            h.span(),
            "the pod uses the node's network".into(),
            d,
        );
    }
    if let Some(c) = sec.add_capabilities.first() {
        l.hit(
            "capabilities",
            c.span(),
            format!("the container adds capability {}", c.get_ref()),
            d,
        );
    }
}

/// Host ports, Service types other than ClusterIP, `latest` pulled Always.
fn lint_exposure(
    l: &mut Linter<'_>,
    f: &ServiceFile,
    platform: &PlatformFile,
    d: &mut Diagnostics,
) {
    for p in &f.ports {
        if let Some(h) = &p.host_port {
            l.hit(
                "host-port",
                h.span(),
                format!(
                    "port `{}` binds node port {}",
                    p.name.get_ref(),
                    h.get_ref()
                ),
                d,
            );
        }
    }
    if let Some(t) = f
        .service_type
        .as_ref()
        .filter(|t| t.get_ref() != "ClusterIP")
    {
        l.hit(
            "service-type",
            t.span(),
            format!("the Service is of type {}", t.get_ref()),
            d,
        );
    }
    let policy = f
        .pull_policy
        .as_ref()
        .map_or(platform.images.pull_policy.get_ref(), |p| p.get_ref());
    let tag = if f.own_image() {
        Some(platform.own_image_tag(f, "", None).get_ref().as_str())
    } else {
        f.reference_tag()
    };
    if policy == "Always" && tag == Some("latest") {
        let span = f.pull_policy.as_ref().map_or(f.image.span(), |p| p.span());
        l.hit(
            "latest-always",
            span,
            format!(
                "image `{}` is tagged latest and pulled Always",
                f.image.get_ref()
            ),
            d,
        );
    }
}

/// Secret values in `env`, missing probes, a replicated workload without a
/// PodDisruptionBudget.
fn lint_config_and_health(
    l: &mut Linter<'_>,
    svc: &LoadedService,
    platform: &PlatformFile,
    d: &mut Diagnostics,
) {
    let f = &svc.file;
    for (k, v) in &f.env {
        if looks_secret(k, v.get_ref()) {
            l.hit(
                "secret-in-config",
                v.span(),
                format!(
                    "`{k}` looks like a secret, and its value would be committed in a ConfigMap"
                ),
                d,
            );
        }
    }
    if f.health.is_none() && !f.runs_to_completion() {
        l.hit(
            "no-probes",
            0..0,
            format!("service `{}` has no health check", svc.name),
            d,
        );
    }
    let replicas = f
        .replicas(*platform.defaults.replicas.get_ref())
        .unwrap_or(1);
    if let Some(p) = f.pdb.as_ref().filter(|p| !p.get_ref().enabled())
        && replicas > 1
    {
        l.hit(
            "no-pdb",
            p.span(),
            format!("{replicas} replicas run without a PodDisruptionBudget"),
            d,
        );
    }
}

/// Every exception names a lint the service breaks, with a real reason.
fn check_exceptions(l: &Linter<'_>, svc: &LoadedService, d: &mut Diagnostics) {
    let src = &svc.source;
    for e in &svc.file.exceptions {
        let rule = e.rule.get_ref().as_str();
        if lint(rule).is_none() {
            d.push(Diagnostic::at(
                "E0114",
                src,
                e.rule.span(),
                format!("unknown exception rule `{rule}`"),
                did_you_mean(rule, LINTS.iter().map(|l| l.name), "name one of the lints"),
            ));
        } else if !l.triggered.contains(rule) {
            d.push(Diagnostic::at(
                "E0114",
                src,
                e.rule.span(),
                format!(
                    "exception `{rule}` is not needed: the service does not do what it excuses"
                ),
                "remove the exception",
            ));
        }
        if e.reason.get_ref().trim().len() < 10 {
            d.push(Diagnostic::at(
                "E0114",
                src,
                e.reason.span(),
                "an exception needs a real reason",
                "say in a sentence why the service cannot follow the rule",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::looks_secret;

    #[test]
    fn secret_values_are_recognised() {
        assert!(looks_secret("DB_PASSWORD", "hunter2"));
        assert!(looks_secret("github_token", "ghp_x"));
        assert!(looks_secret(
            "DATABASE_URL",
            "postgres://app:hunter2@db:5432/app"
        ));
        assert!(!looks_secret("DATABASE_URL", "postgres://db:5432/app"));
        assert!(!looks_secret("DATABASE_URL", "postgres://app@db:5432/app"));
        assert!(!looks_secret("REGISTRY_STORAGE_S3_SECURE", "false"));
        assert!(!looks_secret("TOKEN_FILE", ""));
        // By value, under innocent names.
        assert!(looks_secret("STRIPE_KEY", "sk_live_51H8abcdefGHIJKL"));
        assert!(looks_secret("DB_PASS", "hunter2"));
        assert!(looks_secret(
            "SETTING",
            "ghp_0123456789abcdefghijABCDEFGHIJ012345"
        ));
        assert!(looks_secret("BLOB", "q8Zr3vT1xK9pLw2mN7bY4cJ6hF0dS5aE"));
        assert!(looks_secret(
            "SIGNING",
            "9f86d081884c7d659a2feaa0c55ad015a3bf4f1b"
        ));
        // Not secrets: addresses, paths, words, short values.
        for (k, v) in [
            ("OAUTH2_PROXY_HTTP_ADDRESS", "0.0.0.0:4180"),
            (
                "DYNAMIC_CONFIG_FILE_PATH",
                "/etc/temporal/config/dynamicconfig/development-sql.yaml",
            ),
            ("PGDATA", "/var/lib/postgresql/data/pgdata"),
            ("BYPASS_CACHE", "true"),
            ("CACHE_KEY_PREFIX", "orbit"),
            ("IMAGE", "ghcr.io/drewpayment/orbit/orbit-www:sha-999726b"),
            ("NODE_ENV", "production"),
        ] {
            assert!(!looks_secret(k, v), "{k}");
        }
    }
}
