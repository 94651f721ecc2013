//! Jobs: how a `Job` or `CronJob` service runs to completion, and when.

use serde::Deserialize;
use toml::Spanned;

/// The `[job]` table of a service of kind `Job` or `CronJob`.
#[derive(Debug, Clone, Default, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct JobSettings {
    /// CronJob only: when it runs, five fields (`minute hour day-of-month
    /// month day-of-week`, as Kubernetes reads them) or one of `@hourly`,
    /// `@daily`, `@midnight`, `@weekly`, `@monthly`, `@yearly`, `@annually`.
    pub schedule: Option<Spanned<String>>,
    /// CronJob only: the IANA time zone the schedule is read in
    /// (`Europe/Paris`); the controller's own zone (UTC) when omitted.
    pub time_zone: Option<Spanned<String>>,
    /// CronJob only: what a run does when the previous one still runs:
    /// `Forbid` (skip it, the default), `Replace` or `Allow`.
    pub concurrency: Option<Spanned<String>>,
    /// CronJob only: finished Jobs kept, successful (default 3) and failed
    /// (default 1).
    pub successful_history: Option<Spanned<u32>>,
    pub failed_history: Option<Spanned<u32>>,
    /// CronJob only: seconds after its scheduled time a missed run may still
    /// start (default 300); later, it is skipped.
    pub starting_deadline_seconds: Option<Spanned<u32>>,
    /// Retries before the Job is marked failed (default 3).
    pub backoff_limit: Option<Spanned<u32>>,
    /// Seconds a run may take, retries included, before it is stopped and
    /// marked failed (default 3600).
    pub active_deadline_seconds: Option<Spanned<u32>>,
    /// `Never` (a failed container gets a new pod, kept for its logs; the
    /// default) or `OnFailure` (restarted in place).
    pub restart_policy: Option<Spanned<String>>,
}
