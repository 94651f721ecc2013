//! Storage: the platform's storage class and a service's volume claims.

use std::collections::BTreeMap;

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Storage {
    pub class: Spanned<String>,
    pub provisioner: String,
    #[serde(default)]
    pub parameters: BTreeMap<String, String>,
    /// Each passed to the driver as one mount option, verbatim: one line.
    #[serde(default)]
    pub mount_options: Vec<Spanned<String>>,
    pub reclaim_policy: Spanned<String>,
    pub volume_binding_mode: Spanned<String>,
    #[serde(default)]
    pub allow_volume_expansion: bool,
}

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Volume {
    /// Suffix of the claim name (`<service>-<name>`).
    pub name: Spanned<String>,
    pub mount: String,
    pub size: Spanned<String>,
    #[serde(default)]
    pub access_mode: Option<Spanned<String>>,
    /// `true`: no claim; each pod gets a volume of its own on its node's
    /// disk (an emptyDir of `size`), lost with the pod: for a cache. A
    /// DaemonSet's pods get one per node, where a shared claim would be
    /// locked by the first pod.
    #[serde(default)]
    pub per_pod: Option<Spanned<bool>>,
}

impl Volume {
    /// Whether the volume is the pod's own, not a claim.
    pub fn is_per_pod(&self) -> bool {
        self.per_pod.as_ref().is_some_and(|p| *p.get_ref())
    }
}
