//! Routes: a service's ports published through the platform's edge
//! (`[edge]`), under the platform's or the environment's domain.

use serde::Deserialize;
use toml::Spanned;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Route {
    /// Left of the domain (`www`, `api.v2`); empty for the domain itself.
    pub host: Spanned<String>,
    /// The port published; a gRPC port makes a gRPC route.
    pub port: Spanned<String>,
    /// The path prefix; a gRPC route takes `/` or `/<package.Service>`.
    #[serde(default = "root_path")]
    pub path: String,
    /// Environment variable (in the ConfigMap) that receives the public URL.
    pub env: Option<String>,
    /// A route policy of `[edge.policies]`; the edge's default when omitted.
    pub policy: Option<Spanned<String>>,
}

fn root_path() -> String {
    "/".to_string()
}
