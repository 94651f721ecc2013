//! TLS: issuers declared once with one way of issuing (and an ACME issuer
//! with one solver); known issuers chosen by `[tls]` and the environments;
//! wildcards that a DNS-01 issuer can issue and that cover served hosts;
//! certificate settings cert-manager accepts; and every served host covered
//! by a certificate.

use std::collections::BTreeSet;

use super::{one_of, require_label, require_unique};
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::Loaded;
use crate::model::{Environment, Issuer, PlatformFile, Spanned, Tls, covers};
use crate::names::is_hostname;

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    let mut names = BTreeSet::new();
    for i in &p.issuers {
        require_unique(&mut names, &i.name, "issuer", src, d);
        require_label(&i.name, "issuer name", src, d);
        check_issuer(i, src, d);
    }
    let Some(tls) = &p.tls else { return };
    known_issuer(p, &tls.issuer, src, d);
    check_settings(tls, src, d);
    check_wildcards(loaded, tls, d);
    check_coverage(loaded, d);
}

/// An issuer named by `[tls]` or an environment exists.
pub(super) fn known_issuer(
    p: &PlatformFile,
    name: &Spanned<String>,
    src: &SourceFile,
    d: &mut Diagnostics,
) {
    if !p.issuers.iter().any(|i| i.name.get_ref() == name.get_ref()) {
        d.push(Diagnostic::at(
            "E0144",
            src,
            name.span(),
            format!("unknown issuer `{}`", name.get_ref()),
            crate::diag::did_you_mean(
                name.get_ref(),
                p.issuers
                    .iter()
                    .map(|i| i.name.get_ref().as_str())
                    .collect::<std::collections::BTreeSet<_>>(),
                "declare it in [[issuers]], or use one of",
            ),
        ));
    }
}

fn problem(
    src: &SourceFile,
    span: std::ops::Range<usize>,
    message: String,
    help: &str,
) -> Diagnostic {
    Diagnostic::at("E0143", src, span, message, help)
}

/// One way of issuing; an ACME issuer's server, e-mail and one solver.
fn check_issuer(i: &Issuer, src: &SourceFile, d: &mut Diagnostics) {
    let name = i.name.get_ref();
    if let Some(k) = &i.kind {
        one_of(k, &["ClusterIssuer", "Issuer"], src, d);
    }
    let ways = [i.acme.is_some(), i.self_signed, i.ca.is_some()];
    if ways.iter().filter(|w| **w).count() != 1 {
        d.push(problem(
            src,
            i.name.span(),
            format!("issuer `{name}` must issue one way: `acme`, `self_signed` or `ca`"),
            "keep exactly one of acme, self_signed = true and ca",
        ));
    }
    if let Some(ca) = &i.ca {
        require_label(&ca.secret, "Secret name", src, d);
    }
    let Some(a) = &i.acme else { return };
    if !a.server.get_ref().starts_with("https://") {
        d.push(problem(
            src,
            a.server.span(),
            format!("`{}` is not an ACME directory URL", a.server.get_ref()),
            "write the directory's https URL, such as https://acme-v02.api.letsencrypt.org/directory",
        ));
    }
    let email = a.email.get_ref();
    if !email
        .split_once('@')
        .is_some_and(|(user, host)| !user.is_empty() && is_hostname(host) && host.contains('.'))
    {
        d.push(problem(
            src,
            a.email.span(),
            format!("`{email}` is not an e-mail address"),
            "give the address the CA sends expiry notices to",
        ));
    }
    let solvers = [a.http01.is_some(), a.dns01.is_some()];
    let dns = a.dns01.as_ref();
    let providers = dns.map_or(0, |d| {
        [d.cloudflare.is_some(), d.route53.is_some()]
            .iter()
            .filter(|x| **x)
            .count()
    });
    if solvers.iter().filter(|s| **s).count() != 1 || (dns.is_some() && providers != 1) {
        d.push(problem(
            src,
            a.server.span(),
            format!("ACME issuer `{name}` needs exactly one solver: `http01 = {{}}`, or `dns01` with one provider"),
            "keep http01, or dns01 with exactly one of cloudflare and route53",
        ));
    }
    if let Some(c) = dns.and_then(|d| d.cloudflare.as_ref()) {
        require_label(&c.token_secret, "Secret name", src, d);
    }
    for z in dns.into_iter().flat_map(|d| &d.zones) {
        if !is_hostname(z.get_ref()) {
            d.push(problem(
                src,
                z.span(),
                format!("`{}` is not a DNS zone", z.get_ref()),
                "write the zone's domain, such as example.com",
            ));
        }
    }
}

/// Lifetimes as Go durations, and a private key cert-manager accepts.
fn check_settings(tls: &Tls, src: &SourceFile, d: &mut Diagnostics) {
    for dur in [&tls.duration, &tls.renew_before].into_iter().flatten() {
        if !is_duration(dur.get_ref()) {
            d.push(problem(
                src,
                dur.span(),
                format!("`{}` is not a duration", dur.get_ref()),
                "write hours, minutes or seconds, such as 2160h or 720h",
            ));
        }
    }
    let Some(k) = &tls.private_key else { return };
    one_of(&k.algorithm, &["RSA", "ECDSA", "Ed25519"], src, d);
    if let Some(e) = &k.encoding {
        one_of(e, &["PKCS1", "PKCS8"], src, d);
    }
    if let Some(r) = &k.rotation {
        one_of(r, &["Never", "Always"], src, d);
    }
    if let Some(size) = &k.size {
        let sizes: &[u32] = match k.algorithm.get_ref().as_str() {
            "RSA" => &[2048, 3072, 4096, 8192],
            "ECDSA" => &[256, 384, 521],
            _ => &[],
        };
        if !sizes.contains(size.get_ref()) {
            d.push(problem(
                src,
                size.span(),
                format!(
                    "{} bits is not a {} key size",
                    size.get_ref(),
                    k.algorithm.get_ref()
                ),
                "use RSA 2048, 3072, 4096 or 8192, ECDSA 256, 384 or 521; Ed25519 takes no size",
            ));
        }
    }
}

/// `2160h`, `90m`, `1h30m`: digits and units.
fn is_duration(s: &str) -> bool {
    let mut digits = false;
    let mut any = false;
    for c in s.chars() {
        match c {
            '0'..='9' => digits = true,
            'h' | 'm' | 's' if digits => {
                digits = false;
                any = true;
            }
            _ => return false,
        }
    }
    any && !digits
}

/// The hosts the base and each environment serve.
fn served(loaded: &Loaded) -> Vec<(Option<&Environment>, Vec<String>)> {
    let p = &loaded.platform;
    std::iter::once(None)
        .chain(p.environments.iter().map(Some))
        .map(|env| {
            let mut hosts = Vec::new();
            for s in &loaded.services {
                if env.is_some_and(|e| e.exclude.iter().any(|x| x.get_ref() == &s.name)) {
                    continue;
                }
                let o = env.and_then(|e| e.overrides.get(&s.name));
                for r in s.file.routes_in(o) {
                    hosts.push(p.hostname(env, r.host.get_ref()));
                }
            }
            (env, hosts)
        })
        .collect()
}

/// Each wildcard is well formed, issued by DNS-01, and covers a served host
/// somewhere.
fn check_wildcards(loaded: &Loaded, tls: &Tls, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    let served = served(loaded);
    for w in &tls.wildcards {
        let rest = w.get_ref().strip_prefix('*');
        let valid =
            rest.is_some_and(|r| r.is_empty() || r.strip_prefix('.').is_some_and(is_hostname));
        if !valid {
            d.push(Diagnostic::at(
                "E0146",
                src,
                w.span(),
                format!("`{}` is not a wildcard under the domain", w.get_ref()),
                "write `*` for *.<domain>, or `*.api` for *.api.<domain>",
            ));
            continue;
        }
        let used = served.iter().any(|(env, hosts)| {
            let name = format!("{}.{}", w.get_ref(), p.domain_in(*env));
            hosts.iter().any(|h| covers(&name, h))
        });
        if !used {
            d.push(Diagnostic::at(
                "E0146",
                src,
                w.span(),
                format!(
                    "wildcard `{}` covers no host the platform serves",
                    w.get_ref()
                ),
                "remove it: a wildcard is used only where it covers a served host",
            ));
        }
        for env in std::iter::once(None).chain(p.environments.iter().map(Some)) {
            if let Some(i) = p.issuer_in(env).filter(|i| i.http01()) {
                d.push(Diagnostic::at(
                    "E0146",
                    src,
                    w.span(),
                    format!(
                        "issuer `{}` answers HTTP-01 challenges, which cannot issue a wildcard",
                        i.name.get_ref()
                    ),
                    "issue wildcards with a DNS-01 issuer, or drop the wildcard",
                ));
                break;
            }
        }
    }
}

/// With an existing Gateway, the names its certificates cover hold every
/// served host.
fn check_coverage(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let Some(gw) = p.edge.as_ref().and_then(|e| e.gateway.as_ref()) else {
        return;
    };
    if gw.managed() {
        return;
    }
    let mut reported = BTreeSet::new();
    for (env, hosts) in served(loaded) {
        for h in hosts {
            if gw.covers.iter().any(|c| covers(c.get_ref(), &h)) || !reported.insert(h.clone()) {
                continue;
            }
            d.push(Diagnostic::at(
                "E0145",
                &loaded.platform_source,
                gw.name.span(),
                format!(
                    "{h}{} is served through Gateway `{}`, whose certificates do not cover it",
                    env.map_or_else(String::new, |e| format!(" (environment {})", e.name.get_ref())),
                    gw.name.get_ref()
                ),
                "add its name (or a wildcard of its parent: a wildcard covers one label) to [edge.gateway] covers once the Gateway holds it, or let platformc render the Gateway (`class`)",
            ));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::is_duration;

    #[test]
    fn durations_are_go_durations() {
        assert!(is_duration("2160h") && is_duration("1h30m") && is_duration("45s"));
        assert!(!is_duration("90d") && !is_duration("h") && !is_duration("10"));
    }
}
