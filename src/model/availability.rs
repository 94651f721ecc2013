//! Availability: autoscaling (the replica count and PDB switch are top-level
//! fields of a service, [`super::ServiceFile`]).

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Autoscaling {
    pub min: Spanned<u32>,
    pub max: Spanned<u32>,
    /// Target average utilisation, percent of the request.
    pub cpu: Option<Spanned<u32>>,
    pub memory: Option<Spanned<u32>>,
}
