//! Jobs: a `[job]` table only on a Job or CronJob, a schedule Kubernetes
//! accepts on every CronJob and on nothing else, known policies; and
//! nothing a Job cannot have (it serves no port and is never ready).

use super::{ServiceCx, one_of};
use crate::diag::{Diagnostic, Diagnostics};
use crate::model::{JobSettings, WorkloadKind};
use crate::schedule;

pub(super) fn check(cx: &ServiceCx<'_>, d: &mut Diagnostics) {
    let (f, src) = (cx.f, cx.src);
    let kind = f.kind();
    if !kind.runs_to_completion() {
        if f.job.is_some() {
            d.push(
                Diagnostic::at(
                    "E0170",
                    src,
                    0..0,
                    format!("a {kind:?} serves until stopped and has no [job] settings"),
                    "remove [job], or set kind = \"Job\" (runs once) or \"CronJob\" (runs on a schedule)",
                )
                .field("job"),
            );
        }
        return;
    }
    let j = f.job.clone().unwrap_or_default();
    check_schedule(cx, kind, &j, d);
    if let Some(p) = &j.restart_policy {
        one_of(p, &["Never", "OnFailure"], src, d);
    }
    if let Some(c) = &j.concurrency {
        one_of(c, &["Forbid", "Replace", "Allow"], src, d);
    }
    if let Some(a) = j
        .active_deadline_seconds
        .as_ref()
        .filter(|a| *a.get_ref() == 0)
    {
        d.push(Diagnostic::at(
            "E0170",
            src,
            a.span(),
            "a run cannot have a deadline of 0 seconds",
            "give it the seconds a run may take, retries included, or remove the field (3600)",
        ));
    }
    check_serving_fields(cx, kind, d);
}

/// A CronJob has a valid schedule and time zone; a Job has neither, nor the
/// other CronJob-only settings.
fn check_schedule(cx: &ServiceCx<'_>, kind: WorkloadKind, j: &JobSettings, d: &mut Diagnostics) {
    let src = cx.src;
    if kind == WorkloadKind::Job {
        let cron_only = [
            j.schedule.as_ref().map(|s| s.span()),
            j.time_zone.as_ref().map(|s| s.span()),
            j.concurrency.as_ref().map(|s| s.span()),
            j.successful_history.as_ref().map(|s| s.span()),
            j.failed_history.as_ref().map(|s| s.span()),
            j.starting_deadline_seconds.as_ref().map(|s| s.span()),
        ];
        if let Some(span) = cron_only.into_iter().flatten().next() {
            d.push(Diagnostic::at(
                "E0170",
                src,
                span,
                "a Job runs once: schedules, concurrency, history and starting deadlines are a CronJob's",
                "set kind = \"CronJob\" to run on a schedule, or remove the field",
            ));
        }
        return;
    }
    let Some(s) = &j.schedule else {
        d.push(
            Diagnostic::at(
                "E0170",
                src,
                0..0,
                format!("CronJob `{}` has no schedule", cx.svc.name),
                "add [job] schedule = \"0 3 * * *\" (minute hour day-of-month month day-of-week)",
            )
            .field("job.schedule"),
        );
        return;
    };
    if let Err(why) = schedule::validate(s.get_ref()) {
        d.push(Diagnostic::at(
            "E0171",
            src,
            s.span(),
            format!("`{}` is not a schedule Kubernetes accepts: {why}", s.get_ref()),
            "write five fields, minute (0-59) hour (0-23) day-of-month (1-31) month (1-12 or JAN-DEC) day-of-week (0-6 or SUN-SAT), each `*`, a value, a range `a-b` or a list, with an optional `/step`; or @hourly, @daily, @weekly, @monthly, @yearly",
        ));
    }
    if let Some(tz) = &j.time_zone
        && !is_time_zone(tz.get_ref())
    {
        d.push(Diagnostic::at(
            "E0171",
            src,
            tz.span(),
            format!("`{}` is not an IANA time zone name", tz.get_ref()),
            "write a name of the time zone database such as `Etc/UTC` or `Europe/Paris` (not `Local`)",
        ));
    }
}

/// An IANA zone name as the API server accepts it: `UTC`, or `Area/Place`
/// segments of letters, digits, `_`, `+` and `-`; never `Local`.
fn is_time_zone(tz: &str) -> bool {
    !tz.eq_ignore_ascii_case("local")
        && !tz.is_empty()
        && tz.split('/').all(|seg| {
            !seg.is_empty()
                && seg.starts_with(|c: char| c.is_ascii_alphabetic())
                && seg
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || "_+-".contains(c))
        })
}

/// What only a serving workload has: ports (and so routes), probes,
/// replicas, autoscaling and a disruption budget.
fn check_serving_fields(cx: &ServiceCx<'_>, kind: WorkloadKind, d: &mut Diagnostics) {
    let (f, src) = (cx.f, cx.src);
    let spans = [
        ("ports", f.ports.first().map(|p| p.name.span())),
        ("routes", f.routes.first().map(|r| r.host.span())),
        ("replicas", f.replicas.as_ref().map(|r| r.span())),
        ("pdb", f.pdb.as_ref().map(|p| p.span())),
        ("autoscaling", f.autoscaling.as_ref().map(|a| a.min.span())),
        ("service_type", f.service_type.as_ref().map(|t| t.span())),
    ];
    for (field, span) in spans {
        if let Some(span) = span {
            d.push(Diagnostic::at(
                "E0172",
                src,
                span,
                format!("a {kind:?} runs to completion: it has no {field}"),
                format!("remove `{field}`, or make the service a Deployment"),
            ));
        }
    }
    if f.health.is_some() {
        d.push(
            Diagnostic::at(
                "E0172",
                src,
                0..0,
                format!(
                    "a {kind:?} runs to completion and is never ready: it has no health checks"
                ),
                "remove [health]; a failed run shows in the status of its Job",
            )
            .field("health"),
        );
    }
}

#[cfg(test)]
mod tests {
    use super::is_time_zone;

    #[test]
    fn time_zone_names() {
        for tz in [
            "UTC",
            "Etc/UTC",
            "Europe/Paris",
            "America/Argentina/Buenos_Aires",
            "Etc/GMT+5",
        ] {
            assert!(is_time_zone(tz), "{tz}");
        }
        for tz in ["Local", "", "Europe/", "/UTC", "Europe Paris", "3/x"] {
            assert!(!is_time_zone(tz), "{tz}");
        }
    }
}
