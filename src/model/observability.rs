//! Observability: how the platform's Prometheus (or VictoriaMetrics) finds
//! what to scrape and which rules to evaluate, and each service's metrics
//! and alerts.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

/// `[monitoring]` of platform.toml: a metrics port of a service then gets a
/// ServiceMonitor (or PodMonitor), and every service alert rules.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Monitoring {
    /// `prometheus-operator` (ServiceMonitor, PodMonitor, PrometheusRule)
    /// or `victoriametrics` (VMServiceScrape, VMPodScrape, VMRule).
    pub engine: Spanned<String>,
    /// Labels the monitors carry: those the platform's Prometheus selects
    /// them by (kube-prometheus-stack: `release = "<its release name>"`
    /// unless it selects all).
    #[serde(default)]
    pub monitor_labels: BTreeMap<String, String>,
    /// The namespace the alert rules live in (one object per service, for
    /// every environment's namespace at once).
    pub rules_namespace: Spanned<String>,
    /// Labels the rules carry, those the rule selector matches.
    #[serde(default)]
    pub rule_labels: BTreeMap<String, String>,
    /// Default scrape interval (`30s`).
    pub interval: Option<Spanned<String>>,
}

/// `[metrics]` of a service: how its metrics ports are scraped.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Metrics {
    /// The HTTP path of the metrics (default `/metrics`).
    pub path: Option<Spanned<String>>,
    /// Scrape interval, defaults to the platform's.
    pub interval: Option<Spanned<String>>,
    /// `service` (through the Service, the default) or `pod` (each pod
    /// directly).
    pub monitor: Option<Spanned<String>>,
}

/// `[[alerts]]` of a service: a rule of its own, beside the platform's.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Alert {
    /// The alert's name (`TemporalWorkflowFailures`).
    pub name: Spanned<String>,
    /// The PromQL expression that fires it, evaluated cluster-wide: select
    /// what it is about (`namespace`, `job`, `service` labels).
    pub expr: Spanned<String>,
    /// How long the expression holds before the alert fires (`5m`).
    #[serde(rename = "for")]
    pub for_: Option<Spanned<String>>,
    /// `critical`, `warning` (the default) or `info`.
    pub severity: Option<Spanned<String>>,
    pub summary: String,
    pub description: Option<String>,
}
