//! Jobs: what a Job or CronJob adds to a workload's pod.

use serde::Serialize;

/// How a Job runs its pod to completion.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct JobSpec {
    pub backoff_limit: u32,
    pub active_deadline_seconds: u32,
    /// CronJob only: when and how the Jobs are created.
    pub cron: Option<CronSpec>,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct CronSpec {
    pub schedule: String,
    pub time_zone: Option<String>,
    pub concurrency: String,
    pub successful_history: u32,
    pub failed_history: u32,
    pub starting_deadline_seconds: u32,
}
