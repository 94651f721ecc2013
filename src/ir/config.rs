//! Configuration: ConfigMaps.

use std::collections::BTreeMap;

use serde::Serialize;

use super::Meta;

#[derive(Debug, Clone, Serialize)]
pub struct ConfigMap {
    pub meta: Meta,
    pub data: BTreeMap<String, String>,
}
