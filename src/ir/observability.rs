//! Observability: the monitors of a service's metrics ports and the alert
//! rules of a service, in the kinds of the platform's engine.

use indexmap::IndexMap;
use serde::Serialize;

use super::Meta;

/// A ServiceMonitor or PodMonitor (Prometheus Operator), VMServiceScrape or
/// VMPodScrape (VictoriaMetrics).
#[derive(Debug, Clone, Serialize)]
pub struct Monitor {
    pub meta: Meta,
    pub api_version: String,
    pub kind: String,
    /// Scrapes pods directly (PodMonitor, VMPodScrape) rather than through
    /// the Service.
    pub pods: bool,
    pub selector: IndexMap<String, String>,
    pub endpoints: Vec<MonitorEndpoint>,
}

#[derive(Debug, Clone, Serialize)]
pub struct MonitorEndpoint {
    pub port: String,
    pub path: String,
    pub interval: String,
}

/// A PrometheusRule or VMRule: one group of alerts.
#[derive(Debug, Clone, Serialize)]
pub struct RuleSet {
    pub meta: Meta,
    pub api_version: String,
    pub kind: String,
    pub group: String,
    pub rules: Vec<AlertRule>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct AlertRule {
    pub alert: String,
    pub expr: String,
    pub for_: Option<String>,
    pub labels: IndexMap<String, String>,
    pub summary: String,
    pub description: Option<String>,
}
