//! Jobs: how a Job or CronJob runs to completion (retries, deadline, and for
//! a CronJob its schedule, concurrency and history), with the defaults
//! filled in; and how each GitOps engine re-runs a Job whose spec changed
//! (a Job's pod template is immutable, so it is deleted and created again).

use super::service::ServicePlanner;
use crate::ir::{CronSpec, JobSpec};
use crate::model::{JobSettings, WorkloadKind};

/// Retries before a Job is marked failed.
pub const BACKOFF_LIMIT: u32 = 3;
/// Seconds a run may take, retries included.
pub const ACTIVE_DEADLINE_SECONDS: u32 = 3600;
/// A run still starts this long after its time (a controller restart, a
/// full node); later it is skipped. Without it the controller stops
/// scheduling a CronJob that missed 100 runs.
pub const STARTING_DEADLINE_SECONDS: u32 = 300;
/// Finished Jobs a CronJob keeps, successful and failed.
pub const SUCCESSFUL_HISTORY: u32 = 3;
pub const FAILED_HISTORY: u32 = 1;
/// A run never overlaps the previous one.
pub const CONCURRENCY: &str = "Forbid";
/// A failed container gets a new pod, and the failed one stays for its logs.
pub const RESTART_POLICY: &str = "Never";

/// Argo CD deletes and creates a Job again when it syncs a change to it
/// (Force with Replace), instead of failing on its immutable template.
pub const ARGOCD_RECREATE: (&str, &str) =
    ("argocd.argoproj.io/sync-options", "Force=true,Replace=true");

fn get(v: Option<&toml::Spanned<u32>>, default: u32) -> u32 {
    v.map_or(default, |v| *v.get_ref())
}

/// The Job spec of a service's `[job]` settings, defaults filled in; the
/// schedule part only for a CronJob.
pub fn job_spec(kind: WorkloadKind, j: &JobSettings) -> Option<JobSpec> {
    if !kind.runs_to_completion() {
        return None;
    }
    let cron = (kind == WorkloadKind::CronJob).then(|| CronSpec {
        schedule: j
            .schedule
            .as_ref()
            .map_or_else(String::new, |s| s.get_ref().trim().to_string()),
        time_zone: j.time_zone.as_ref().map(|t| t.get_ref().clone()),
        concurrency: j
            .concurrency
            .as_ref()
            .map_or_else(|| CONCURRENCY.to_string(), |c| c.get_ref().clone()),
        successful_history: get(j.successful_history.as_ref(), SUCCESSFUL_HISTORY),
        failed_history: get(j.failed_history.as_ref(), FAILED_HISTORY),
        starting_deadline_seconds: get(
            j.starting_deadline_seconds.as_ref(),
            STARTING_DEADLINE_SECONDS,
        ),
    });
    Some(JobSpec {
        backoff_limit: get(j.backoff_limit.as_ref(), BACKOFF_LIMIT),
        active_deadline_seconds: get(j.active_deadline_seconds.as_ref(), ACTIVE_DEADLINE_SECONDS),
        cron,
    })
}

impl ServicePlanner<'_, '_> {
    /// The service's Job spec; None for a serving workload.
    pub(super) fn job_spec(&self) -> Option<JobSpec> {
        let settings = self.svc.file.job.clone().unwrap_or_default();
        job_spec(self.kind, &settings)
    }

    /// Job and CronJob pods: `Never` unless stated; None for serving pods.
    pub(super) fn restart_policy(&self) -> Option<String> {
        self.kind.runs_to_completion().then(|| {
            self.svc
                .file
                .job
                .as_ref()
                .and_then(|j| j.restart_policy.as_ref())
                .map_or_else(|| RESTART_POLICY.to_string(), |r| r.get_ref().clone())
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn defaults_fill_a_bare_cronjob() {
        let j: JobSettings = toml::from_str("schedule = \" 0 3 * * 0 \"").unwrap();
        let spec = job_spec(WorkloadKind::CronJob, &j).unwrap();
        let cron = spec.cron.unwrap();
        assert_eq!(cron.schedule, "0 3 * * 0");
        assert_eq!(cron.concurrency, "Forbid");
        assert_eq!((cron.successful_history, cron.failed_history), (3, 1));
        assert_eq!(spec.backoff_limit, BACKOFF_LIMIT);
        assert!(job_spec(WorkloadKind::Job, &j).unwrap().cron.is_none());
        assert!(job_spec(WorkloadKind::Deployment, &j).is_none());
    }
}
