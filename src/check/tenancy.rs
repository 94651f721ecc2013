//! Tenancy: namespace settings name the platform's namespaces and hold
//! valid quantities; a quota holds what its namespace's services need at
//! most (replicas or autoscaling maxima, surge pods, a DaemonSet's pod on
//! every node), as the base and every environment run them; every container
//! fits its namespace's limit range. The API server would refuse the pods a
//! quota or limit range does not admit, one by one, at rollout time.

use std::collections::BTreeSet;

use super::quantity_of;
use crate::diag::{Diagnostic, Diagnostics, SourceFile};
use crate::load::{Loaded, LoadedService};
use crate::model::{
    CpuMemory, Environment, LimitRange, NamespaceSettings, Needs, Quota, service_needs,
};
use crate::quantity;

/// Every base namespace of the platform: its own, its categories', its
/// services'.
pub(super) fn base_namespaces(loaded: &Loaded) -> BTreeSet<String> {
    let p = &loaded.platform;
    std::iter::once(p.platform.namespace.get_ref().clone())
        .chain(
            p.categories
                .iter()
                .filter_map(|c| c.namespace.as_ref().map(|n| n.get_ref().clone())),
        )
        .chain(
            loaded
                .services
                .iter()
                .map(|s| p.namespace_of(&s.file).to_string()),
        )
        .collect()
}

pub(super) fn check(loaded: &Loaded, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let src = &loaded.platform_source;
    for c in &p.categories {
        if let Some(ns) = &c.namespace {
            super::require_label(ns, "namespace", src, d);
        }
    }
    let known = base_namespaces(loaded);
    let tables = std::iter::once((None, &p.namespaces))
        .chain(p.environments.iter().map(|e| (Some(e), &e.namespaces)));
    for (env, settings) in tables {
        for (ns, s) in settings {
            if !known.contains(ns) {
                d.push(
                    Diagnostic::at(
                        "E0157",
                        src,
                        env.map_or(p.platform.namespace.span(), |e| e.name.span()),
                        format!("`{ns}` is not a namespace of the platform"),
                        format!(
                            "give settings to one of its namespaces: {}",
                            known
                                .iter()
                                .map(String::as_str)
                                .collect::<Vec<_>>()
                                .join(", ")
                        ),
                    )
                    .field(match env {
                        Some(_) => format!("environments.namespaces.{ns}"),
                        None => format!("namespaces.{ns}"),
                    }),
                );
            }
            check_values(s, src, d);
        }
    }
    for env in std::iter::once(None).chain(p.environments.iter().map(Some)) {
        for ns in &known {
            check_namespace(loaded, env, ns, d);
        }
    }
}

/// Valid quantities; a quota that bounds something.
fn check_values(s: &NamespaceSettings, src: &SourceFile, d: &mut Diagnostics) {
    if let Some(q) = &s.quota {
        for b in [&q.requests, &q.limits].into_iter().flatten() {
            for v in [&b.cpu, &b.memory].into_iter().flatten() {
                quantity_of(src, v, d);
            }
        }
        if let Some(st) = &q.storage {
            quantity_of(src, st, d);
        }
        let states = q.requests.is_some()
            || q.limits.is_some()
            || q.pods.is_some()
            || q.claims.is_some()
            || q.storage.is_some()
            || q.services.is_some();
        if !states && q.headroom.is_none() {
            d.push(
                Diagnostic::at(
                    "E0157",
                    src,
                    0..0,
                    "a quota that states no bound and no headroom renders nothing",
                    "state bounds (cpu, memory, pods…), or a headroom to derive them",
                )
                .field("namespaces.quota"),
            );
        }
    }
    if let Some(l) = &s.limits {
        for b in [&l.default, &l.default_request, &l.min, &l.max]
            .into_iter()
            .flatten()
        {
            for v in [&b.cpu, &b.memory].into_iter().flatten() {
                quantity_of(src, v, d);
            }
        }
    }
}

/// The services of base namespace `ns` in `env`.
fn services_in<'a>(
    loaded: &'a Loaded,
    env: Option<&Environment>,
    ns: &str,
) -> Vec<&'a LoadedService> {
    loaded
        .services
        .iter()
        .filter(|s| env.is_none_or(|e| !e.exclude.iter().any(|x| x.get_ref() == &s.name)))
        .filter(|s| loaded.platform.namespace_of(&s.file) == ns)
        .collect()
}

/// The quota and limit range of one namespace in one environment.
fn check_namespace(loaded: &Loaded, env: Option<&Environment>, ns: &str, d: &mut Diagnostics) {
    let p = &loaded.platform;
    let Some(settings) = p.namespace_settings(env, ns) else {
        return;
    };
    let services = services_in(loaded, env, ns);
    let where_ = match env {
        Some(e) => format!(
            "namespace `{}` (environment {})",
            e.namespace_for(ns),
            e.name.get_ref()
        ),
        None => format!("namespace `{ns}`"),
    };
    if let Some(q) = &settings.quota {
        let mut need = Some(Needs::default());
        for s in &services {
            match service_needs(p, env, &s.name, &s.file) {
                Some(n) => {
                    if let Some(t) = &mut need {
                        *t += n;
                    }
                }
                None => {
                    need = None;
                    if q.headroom.is_some()
                        || q.requests.is_some()
                        || q.limits.is_some()
                        || q.pods.is_some()
                    {
                        daemonset_without_nodes(loaded, env, s, &where_, d);
                    }
                }
            }
        }
        if let Some(need) = need {
            check_quota(q, &need, &where_, &loaded.platform_source, d);
        }
    }
    if let Some(l) = &settings.limits {
        check_limits(loaded, env, l, &services, &where_, d);
    }
}

fn daemonset_without_nodes(
    loaded: &Loaded,
    env: Option<&Environment>,
    s: &LoadedService,
    where_: &str,
    d: &mut Diagnostics,
) {
    let p = &loaded.platform;
    let cluster = match env {
        Some(e) => p.cluster_for(e, s.file.category.get_ref()),
        None => p.clusters.first(),
    };
    let (span, cname) = match cluster {
        Some(c) => (c.name.span(), c.name.get_ref().clone()),
        None => (p.platform.namespace.span(), "(none)".to_string()),
    };
    d.push(Diagnostic::at(
        "E0160",
        &loaded.platform_source,
        span,
        format!(
            "DaemonSet `{}` in {where_} runs a pod on every node of cluster `{cname}`, whose node count is not stated, so its quota cannot be checked",
            s.name
        ),
        "state the cluster's schedulable nodes: `nodes = 3` in its [[clusters]] entry",
    ));
}

/// Each stated bound holds the need.
fn check_quota(q: &Quota, need: &Needs, where_: &str, src: &SourceFile, d: &mut Diagnostics) {
    let mut over = |key: &str,
                    span: std::ops::Range<usize>,
                    stated: &str,
                    bound: f64,
                    needed: f64,
                    shown: String| {
        if needed > bound * (1.0 + 1e-9) {
            d.push(Diagnostic::at(
                "E0158",
                src,
                span,
                format!(
                    "{where_} needs {key} {shown} at most, above its quota of {stated}"
                ),
                "raise the bound (or set a headroom and let platformc derive it), or lower the services' replicas, maxima or resources",
            ));
        }
    };
    let parse = |s: &str| quantity::parse(s).unwrap_or(f64::INFINITY);
    for (kind, bound, cpu_need, mem_need) in [
        (
            "requests",
            &q.requests,
            need.cpu_request,
            need.memory_request,
        ),
        ("limits", &q.limits, need.cpu_limit, need.memory_limit),
    ] {
        let Some(b) = bound else { continue };
        if let Some(c) = &b.cpu {
            over(
                &format!("{kind}.cpu"),
                c.span(),
                c.get_ref(),
                parse(c.get_ref()),
                cpu_need,
                cores(cpu_need),
            );
        }
        if let Some(m) = &b.memory {
            over(
                &format!("{kind}.memory"),
                m.span(),
                m.get_ref(),
                parse(m.get_ref()),
                mem_need,
                gib(mem_need),
            );
        }
    }
    for (key, stated, needed) in [
        ("pods", &q.pods, need.pods),
        ("persistentvolumeclaims", &q.claims, need.claims),
        ("services", &q.services, need.services),
    ] {
        if let Some(s) = stated {
            over(
                key,
                s.span(),
                &s.get_ref().to_string(),
                f64::from(*s.get_ref()),
                f64::from(needed),
                needed.to_string(),
            );
        }
    }
    if let Some(s) = &q.storage {
        over(
            "requests.storage",
            s.span(),
            s.get_ref(),
            parse(s.get_ref()),
            need.storage,
            gib(need.storage),
        );
    }
}

fn cores(v: f64) -> String {
    format!("{:.2} cores", v).replace(".00 ", " ")
}

fn gib(v: f64) -> String {
    format!("{:.2}Gi", v / 1073741824.0).replace(".00Gi", "Gi")
}

/// One bound of a limit range: its value, span and text.
type Bound = (f64, std::ops::Range<usize>, String);

fn bound(b: &Option<CpuMemory>, cpu: bool) -> Option<Bound> {
    let b = b.as_ref()?;
    let v = if cpu {
        b.cpu.as_ref()?
    } else {
        b.memory.as_ref()?
    };
    Some((quantity::parse(v.get_ref())?, v.span(), v.get_ref().clone()))
}

/// The bounds are ordered, and every container fits them.
fn check_limits(
    loaded: &Loaded,
    env: Option<&Environment>,
    l: &LimitRange,
    services: &[&LoadedService],
    where_: &str,
    d: &mut Diagnostics,
) {
    let src = &loaded.platform_source;
    for cpu in [true, false] {
        let res = if cpu { "cpu" } else { "memory" };
        let chain = [
            ("min", bound(&l.min, cpu)),
            ("default_request", bound(&l.default_request, cpu)),
            ("default", bound(&l.default, cpu)),
            ("max", bound(&l.max, cpu)),
        ];
        let present: Vec<_> = chain
            .iter()
            .filter_map(|(n, v)| v.as_ref().map(|v| (*n, v)))
            .collect();
        for w in present.windows(2) {
            let ((an, a), (bn, b)) = (w[0], w[1]);
            if a.0 > b.0 {
                d.push(Diagnostic::at(
                    "E0159",
                    src,
                    b.1.clone(),
                    format!(
                        "the limit range's {res} {bn} {} is below its {an} {}",
                        b.2, a.2
                    ),
                    "order the bounds: min ≤ default_request ≤ default ≤ max",
                ));
            }
        }
        let bounds = (bound(&l.min, cpu), bound(&l.max, cpu));
        for s in services {
            check_container(loaded, env, s, cpu, &bounds, where_, d);
        }
    }
}

/// One container's request and limit of a resource within the bounds.
fn check_container(
    loaded: &Loaded,
    env: Option<&Environment>,
    s: &LoadedService,
    cpu: bool,
    (min, max): &(Option<Bound>, Option<Bound>),
    where_: &str,
    d: &mut Diagnostics,
) {
    let res = if cpu { "cpu" } else { "memory" };
    let o = env.and_then(|e| e.overrides.get(&s.name));
    let over = if cpu {
        o.and_then(|o| o.cpu.as_ref())
    } else {
        o.and_then(|o| o.memory.as_ref())
    };
    let (q, qsrc) = match over {
        Some(q) => (q, &loaded.platform_source),
        None if cpu => (&s.file.resources.cpu, &s.source),
        None => (&s.file.resources.memory, &s.source),
    };
    let (req, lim) = (
        quantity::parse(q.request.get_ref()).unwrap_or(0.0),
        quantity::parse(q.limit.get_ref()).unwrap_or(0.0),
    );
    if let Some(m) = min
        && req < m.0
    {
        d.push(Diagnostic::at(
            "E0159",
            qsrc,
            q.request.span(),
            format!(
                "`{}` requests {res} {} in {where_}, below its limit range's min {}",
                s.name,
                q.request.get_ref(),
                m.2
            ),
            "raise the request, or lower the limit range's min",
        ));
    }
    if let Some(m) = max
        && lim > m.0
    {
        d.push(Diagnostic::at(
            "E0159",
            qsrc,
            q.limit.span(),
            format!(
                "`{}` limits {res} to {} in {where_}, above its limit range's max {}",
                s.name,
                q.limit.get_ref(),
                m.2
            ),
            "lower the limit, or raise the limit range's max",
        ));
    }
}
