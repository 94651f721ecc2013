//! Availability: replicas, the node spread of a replicated workload (seed
//! 000 §8.5), its PodDisruptionBudget (§3.2) and its autoscaler (§7.3), as
//! the base or an environment runs the service.

use super::service::ServicePlanner;
use crate::ir::{Hpa, Pdb, PlannedFile, Resource, Spread};
use crate::layout::{HPA_FILE, PDB_FILE};
use crate::model::{Scaling, pdb_shape};

impl ServicePlanner<'_, '_> {
    /// Replicas: the autoscaling minimum, else the environment's, the
    /// service's, or the platform default; None for a DaemonSet.
    pub(super) fn replicas(&self) -> Option<u32> {
        self.svc.file.replicas_in(
            *self.p.platform.defaults.replicas.get_ref(),
            self.env_override(),
        )
    }

    /// Autoscaling here.
    pub(super) fn scaling(&self) -> Option<Scaling> {
        self.svc.file.scaling_in(self.env_override())
    }

    /// At most one pod more on any node than on another, once there are
    /// several.
    pub(super) fn spread(&self) -> Option<Spread> {
        self.replicas().is_some_and(|r| r > 1).then(|| Spread {
            max_skew: 1,
            topology_key: "kubernetes.io/hostname",
            when_unsatisfiable: self.p.platform.defaults.topology_spread.clone(),
        })
    }

    pub(super) fn hpa_file(&self) -> Option<PlannedFile> {
        let a = self.scaling()?;
        let name = self.name().to_string();
        Some(self.file_needing(
            HPA_FILE,
            "HORIZONTALPODAUTOSCALER",
            format!("Scales {name} between {} and {} replicas", a.min, a.max),
            format!("the {name} workload and the metrics server"),
            Resource::Hpa(Hpa {
                meta: self.meta(name.clone()),
                kind: self.kind.name().to_string(),
                target: name,
                min: a.min,
                max: a.max,
                cpu: a.cpu,
                memory: a.memory,
            }),
        ))
    }

    /// The budget the service (or the environment) asks for, once the
    /// workload runs more than one replica: by default one pod unavailable
    /// at a time; none under `pdb = false` (lint `no-pdb`).
    pub(super) fn pdb_file(&self) -> Option<PlannedFile> {
        let setting =
            self.env_override()
                .and_then(|o| o.pdb.as_ref())
                .or(self.svc.file.pdb.as_ref());
        let shape = pdb_shape(setting)?;
        if self.replicas().is_none_or(|r| r <= 1) {
            return None;
        }
        let name = self.name().to_string();
        let budget = match (&shape.min_available, &shape.max_unavailable) {
            (Some(m), _) => format!("at least {} of the", show(m)),
            (None, Some(m)) => format!("all but {} of the", show(m)),
            (None, None) => "the".into(),
        };
        Some(self.file_needing(
            PDB_FILE,
            "PODDISRUPTIONBUDGET",
            format!("Keeps {budget} {name} pods running through voluntary disruptions"),
            format!("the {name} pods it selects"),
            Resource::Pdb(Pdb {
                meta: self.meta(name),
                min_available: shape.min_available,
                max_unavailable: shape.max_unavailable,
                unhealthy_pod_eviction: shape.unhealthy_pod_eviction,
                selector: self.selector(),
            }),
        ))
    }
}

fn show(v: &crate::model::IntOrPercent) -> String {
    match v {
        crate::model::IntOrPercent::Int(n) => n.to_string(),
        crate::model::IntOrPercent::Percent(p) => p.clone(),
    }
}
