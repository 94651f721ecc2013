//! Availability: replicas, the node spread of a replicated workload (seed
//! 000 §8.5), its PodDisruptionBudget (§3.2) and its autoscaler (§7.3).

use super::service::ServicePlanner;
use crate::ir::{Hpa, Pdb, PlannedFile, Resource, Spread};
use crate::layout::{HPA_FILE, PDB_FILE};

impl ServicePlanner<'_, '_> {
    /// Replicas: the environment's, the service's, its autoscaling minimum,
    /// or the platform default; None for a DaemonSet.
    pub(super) fn replicas(&self) -> Option<u32> {
        let base = self
            .svc
            .file
            .replicas(*self.p.platform.defaults.replicas.get_ref());
        match self.env_override().and_then(|o| o.replicas.as_ref()) {
            Some(r) => base.map(|_| *r.get_ref()),
            None => base,
        }
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
        let a = self.svc.file.autoscaling.as_ref()?;
        let name = self.name().to_string();
        Some(self.file_needing(
            HPA_FILE,
            "HORIZONTALPODAUTOSCALER",
            format!(
                "Scales {name} between {} and {} replicas",
                a.min.get_ref(),
                a.max.get_ref()
            ),
            format!("the {name} workload and the metrics server"),
            Resource::Hpa(Hpa {
                meta: self.meta(name.clone()),
                kind: format!("{:?}", self.kind),
                target: name,
                min: *a.min.get_ref(),
                max: *a.max.get_ref(),
                cpu: a.cpu.as_ref().map(|c| *c.get_ref()),
                memory: a.memory.as_ref().map(|m| *m.get_ref()),
            }),
        ))
    }

    /// A budget of one unavailable pod for a replicated workload, unless the
    /// service opts out (lint `no-pdb`): a PDB on a single replica would
    /// block every node drain.
    pub(super) fn pdb_file(&self) -> Option<PlannedFile> {
        let wants_pdb = self.svc.file.pdb.as_ref().is_none_or(|p| *p.get_ref());
        if !wants_pdb || self.replicas().is_none_or(|r| r <= 1) {
            return None;
        }
        let name = self.name().to_string();
        Some(self.file_needing(
            PDB_FILE,
            "PODDISRUPTIONBUDGET",
            format!("Keeps all but one {name} pod running through voluntary disruptions"),
            format!("the {name} pods it selects"),
            Resource::Pdb(Pdb {
                meta: self.meta(name),
                max_unavailable: 1,
                selector: self.selector(),
            }),
        ))
    }
}
