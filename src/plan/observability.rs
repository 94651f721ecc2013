//! Observability: a monitor (ServiceMonitor or PodMonitor; VMServiceScrape
//! or VMPodScrape) of each service with metrics ports, in its directory and
//! so in each environment's namespace; and, once per cluster in the rules'
//! namespace (`base/monitoring`), an alert rule set per service covering
//! every namespace it runs in: crash-looping, not ready, restarting, a
//! claim filling up, a failed Job (seed 000 §5.3), and its own alerts.

use indexmap::IndexMap;

use super::Planner;
use super::service::ServicePlanner;
use crate::ir::{AlertRule, Monitor, MonitorEndpoint, PlannedFile, Resource, RuleSet};
use crate::layout::{BASE_MONITORING_DIR, KUSTOMIZATION};
use crate::load::LoadedService;
use crate::model::{Monitoring, WorkloadKind};

/// Scrape interval unless the platform or the service says otherwise.
pub const INTERVAL: &str = "30s";
/// Where metrics are served unless the service says otherwise.
pub const METRICS_PATH: &str = "/metrics";
/// A claim is filling up past this share of its capacity (000 §5.3).
pub const VOLUME_FULL: &str = "0.85";
/// Restarts in an hour that make a service "restarting".
pub const RESTARTS_PER_HOUR: u32 = 3;

/// The API version and kinds of an engine: (apiVersion, service monitor,
/// pod monitor, rules).
pub fn kinds(engine: &str) -> (&'static str, &'static str, &'static str, &'static str) {
    match engine {
        "victoriametrics" => (
            "operator.victoriametrics.com/v1beta1",
            "VMServiceScrape",
            "VMPodScrape",
            "VMRule",
        ),
        _ => (
            "monitoring.coreos.com/v1",
            "ServiceMonitor",
            "PodMonitor",
            "PrometheusRule",
        ),
    }
}

/// `orbit-www` → `OrbitWww`: the prefix of a service's alert names.
pub fn alert_prefix(service: &str) -> String {
    service
        .split('-')
        .map(|w| {
            let mut c = w.chars();
            c.next().map_or_else(String::new, |f| {
                f.to_ascii_uppercase().to_string() + c.as_str()
            })
        })
        .collect()
}

/// The platform's default rules of a service, matching its containers (named
/// after it) in the namespaces of `namespaces` (a regular expression).
pub fn default_rules(
    svc: &LoadedService,
    namespaces: &str,
    labels: &IndexMap<String, String>,
) -> Vec<AlertRule> {
    let name = &svc.name;
    let p = alert_prefix(name);
    let sel = format!("namespace=~\"{namespaces}\", container=\"{name}\"");
    let rule = |alert: &str, expr: String, for_: &str, severity: &str, summary: String| {
        let mut l = labels.clone();
        l.insert("severity".into(), severity.into());
        AlertRule {
            alert: format!("{p}{alert}"),
            expr,
            for_: Some(for_.into()),
            labels: l,
            summary,
            description: None,
        }
    };
    let mut rules = Vec::new();
    match svc.file.kind() {
        WorkloadKind::Job => rules.push(rule(
            "JobFailed",
            format!("kube_job_status_failed{{namespace=~\"{namespaces}\", job_name=\"{name}\"}} > 0"),
            "5m",
            "warning",
            format!("Job {name} failed in {{{{ $labels.namespace }}}}"),
        )),
        WorkloadKind::CronJob => rules.push(rule(
            "JobFailed",
            format!(
                "kube_job_status_failed{{namespace=~\"{namespaces}\"}} * on (namespace, job_name) group_left () kube_job_owner{{namespace=~\"{namespaces}\", owner_kind=\"CronJob\", owner_name=\"{name}\"}} > 0"
            ),
            "5m",
            "warning",
            format!("A run of CronJob {name} failed in {{{{ $labels.namespace }}}} ({{{{ $labels.job_name }}}})"),
        )),
        _ => {
            rules.push(rule(
                "CrashLooping",
                format!("max_over_time(kube_pod_container_status_waiting_reason{{{sel}, reason=\"CrashLoopBackOff\"}}[5m]) >= 1"),
                "15m",
                "critical",
                format!("{name} is crash looping in {{{{ $labels.namespace }}}} ({{{{ $labels.pod }}}})"),
            ));
            rules.push(rule(
                "NotReady",
                format!("kube_pod_container_status_ready{{{sel}}} == 0"),
                "5m",
                "warning",
                format!("{name} has been not ready for 5 minutes in {{{{ $labels.namespace }}}} ({{{{ $labels.pod }}}})"),
            ));
            rules.push(rule(
                "Restarting",
                format!("increase(kube_pod_container_status_restarts_total{{{sel}}}[1h]) > {RESTARTS_PER_HOUR}"),
                "5m",
                "warning",
                format!("{name} restarted more than {RESTARTS_PER_HOUR} times in an hour in {{{{ $labels.namespace }}}} ({{{{ $labels.pod }}}})"),
            ));
        }
    }
    for v in svc.file.volumes.iter().filter(|v| !v.is_per_pod()) {
        let claim = format!("{name}-{}", v.name.get_ref());
        let m = format!("namespace=~\"{namespaces}\", persistentvolumeclaim=\"{claim}\"");
        rules.push(rule(
            &format!("{}VolumeFilling", alert_prefix(v.name.get_ref())),
            format!("kubelet_volume_stats_used_bytes{{{m}}} / kubelet_volume_stats_capacity_bytes{{{m}}} > {VOLUME_FULL}"),
            "10m",
            "warning",
            format!("Claim {claim} is more than 85% full in {{{{ $labels.namespace }}}}"),
        ));
    }
    rules
}

impl Planner<'_> {
    /// Every namespace `svc` runs in: its own and each environment's that
    /// runs it, as one regular expression.
    fn namespaces_of(&self, svc: &LoadedService) -> String {
        let base = super::namespace_of(self.platform, svc);
        let mut ns = vec![base.clone()];
        for e in &self.platform.environments {
            let n = self.namespace_in(Some(e), &base);
            if !e.exclude.iter().any(|x| x.get_ref() == &svc.name) && !ns.contains(&n) {
                ns.push(n);
            }
        }
        ns.join("|")
    }

    /// `base/monitoring`: the alert rules of every service, in the rules'
    /// namespace; its directory when the platform has monitoring.
    pub(super) fn plan_monitoring(&mut self) -> Option<String> {
        let m: &Monitoring = self.platform.monitoring.as_ref()?;
        let (api, _, _, kind) = kinds(m.engine.get_ref());
        let ns = m.rules_namespace.get_ref().clone();
        let mut resources = Vec::new();
        for svc in self.services.clone() {
            let mut labels = IndexMap::new();
            labels.insert("service".to_string(), svc.name.clone());
            labels.insert("category".to_string(), svc.file.category.get_ref().clone());
            let mut rules = default_rules(svc, &self.namespaces_of(svc), &labels);
            for a in &svc.file.alerts {
                let mut l = labels.clone();
                l.insert(
                    "severity".into(),
                    a.severity
                        .as_ref()
                        .map_or_else(|| "warning".into(), |s| s.get_ref().clone()),
                );
                rules.push(AlertRule {
                    alert: a.name.get_ref().clone(),
                    expr: a.expr.get_ref().trim().to_string(),
                    for_: a.for_.as_ref().map(|f| f.get_ref().clone()),
                    labels: l,
                    summary: a.summary.clone(),
                    description: a.description.clone(),
                });
            }
            let name = format!("{}-{}", self.part_of(), svc.name);
            let mut meta = self.base_meta(&name, Some(&ns));
            meta.labels.extend(m.rule_labels.clone());
            let file = format!("{}-{}.yaml", kind.to_lowercase(), svc.name);
            let header = self.header(
                format!("{}: {name}", kind.to_uppercase()),
                format!("Alerts about {} in every namespace it runs in", svc.name),
                format!("the {} operator's CRDs", m.engine.get_ref()),
                "after the releases, before the environments".into(),
                svc.source.path.clone(),
            );
            self.files.push(PlannedFile {
                path: format!("{BASE_MONITORING_DIR}/{file}"),
                header,
                resource: Resource::RuleSet(RuleSet {
                    meta,
                    api_version: api.into(),
                    kind: kind.into(),
                    group: format!("{}.{}.rules", self.part_of(), svc.name),
                    rules,
                }),
            });
            resources.push(file);
        }
        let header = self.header(
            "KUSTOMIZATION: base/monitoring".into(),
            format!("The alert rules of the platform's services, in namespace {ns}"),
            format!("the {} operator's CRDs", m.engine.get_ref()),
            "after the releases, before the environments".into(),
            "platform.toml [monitoring], services/*.toml".into(),
        );
        self.push_kustomization(
            format!("{BASE_MONITORING_DIR}/{KUSTOMIZATION}"),
            header,
            resources,
        );
        Some(BASE_MONITORING_DIR.to_string())
    }

    /// The API group of the platform's monitoring kinds, when it has any.
    pub(super) fn monitoring_group(&self) -> Option<&'static str> {
        let m = self.platform.monitoring.as_ref()?;
        kinds(m.engine.get_ref()).0.split('/').next()
    }

    /// The releases that install `group`'s CRDs.
    pub(super) fn providers_of(&self, group: &str) -> Vec<String> {
        self.releases
            .iter()
            .filter(|(r, _)| r.file.provides.iter().any(|g| g.get_ref() == group))
            .map(|(r, _)| r.name.clone())
            .collect()
    }
}

impl ServicePlanner<'_, '_> {
    /// The monitor of the service's metrics ports; none without them or
    /// without monitoring.
    pub(super) fn monitor_file(&self) -> Option<PlannedFile> {
        let m = self.p.platform.monitoring.as_ref()?;
        let f = &self.svc.file;
        let ports: Vec<&str> = f
            .ports
            .iter()
            .filter(|p| p.serves_metrics())
            .map(|p| p.name.get_ref().as_str())
            .collect();
        if ports.is_empty() {
            return None;
        }
        let settings = f.metrics.as_ref();
        let pods = settings
            .and_then(|s| s.monitor.as_ref())
            .is_some_and(|k| k.get_ref() == "pod");
        let path = settings
            .and_then(|s| s.path.as_ref())
            .map_or(METRICS_PATH, |p| p.get_ref().as_str());
        let interval = settings
            .and_then(|s| s.interval.as_ref())
            .or(m.interval.as_ref())
            .map_or(INTERVAL, |i| i.get_ref().as_str());
        let (api, service_kind, pod_kind, _) = kinds(m.engine.get_ref());
        let kind = if pods { pod_kind } else { service_kind };
        let mut meta = self.meta(self.name().to_string());
        meta.labels.extend(m.monitor_labels.clone());
        Some(
            self.file_needing(
                &format!("{}.yaml", kind.to_lowercase()),
                &kind.to_uppercase(),
                format!(
                    "Scrapes the metrics of {} ({})",
                    self.name(),
                    ports.join(", ")
                ),
                format!("the {} operator's CRDs", m.engine.get_ref()),
                Resource::Monitor(Monitor {
                    meta,
                    api_version: api.into(),
                    kind: kind.into(),
                    pods,
                    selector: self.selector(),
                    endpoints: ports
                        .iter()
                        .map(|p| MonitorEndpoint {
                            port: p.to_string(),
                            path: path.to_string(),
                            interval: interval.to_string(),
                        })
                        .collect(),
                }),
            ),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn alert_names_are_camel_case() {
        assert_eq!(alert_prefix("orbit-www"), "OrbitWww");
        assert_eq!(alert_prefix("redis"), "Redis");
    }

    #[test]
    fn engines_name_their_kinds() {
        assert_eq!(kinds("victoriametrics").3, "VMRule");
        assert_eq!(kinds("prometheus-operator").1, "ServiceMonitor");
    }
}
