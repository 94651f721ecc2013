//! Stage 4, render: minijinja formats each planned resource with its template.
//!
//! The templates in `templates/` are compiled into the binary, so platformc
//! works outside this repository. Each receives one context, [`crate::ir`]'s
//! `header` and `r` (the resource); undefined values are errors (strict
//! mode). Every value goes through a filter of [`yaml`], which decides its
//! form by rule: `yaml` for a scalar (plain unless a reader would misread
//! it), `block` for multi-line text, `yaml_tree` for a nested value.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

pub mod yaml;

use crate::ir::{Plan, PlannedFile, Resource};
use crate::model::WorkloadKind;

/// Pairs a template's name with its text, compiled into the binary.
macro_rules! templates {
    ($($name:literal),* $(,)?) => {
        &[$(($name, include_str!(concat!("../../templates/", $name)))),*]
    };
}

/// The templates, by name, as compiled into the binary.
pub const TEMPLATES: &[(&str, &str)] = templates![
    "_macros.j2",
    "availability/hpa.yaml.j2",
    "availability/pdb.yaml.j2",
    "base/component.yaml.j2",
    "base/namespace.yaml.j2",
    "base/priorityclass.yaml.j2",
    "base/serviceaccount.yaml.j2",
    "config/configmap.yaml.j2",
    "docs/_graph.j2",
    "docs/graph.dot.j2",
    "docs/graph.mmd.j2",
    "docs/readme.md.j2",
    "edge/gateway.yaml.j2",
    "environments/_podpatch.j2",
    "environments/patch.yaml.j2",
    "environments/workloadpatch.yaml.j2",
    "gitops/_argocd.j2",
    "gitops/application.yaml.j2",
    "gitops/applicationset.yaml.j2",
    "gitops/appproject.yaml.j2",
    "gitops/fluxkustomization.yaml.j2",
    "gitops/gitrepository.yaml.j2",
    "jobs/cronjob.yaml.j2",
    "jobs/job.yaml.j2",
    "kustomization.yaml.j2",
    "network/networkpolicy.yaml.j2",
    "observability/monitor.yaml.j2",
    "observability/rules.yaml.j2",
    "policy/clusterpolicy.yaml.j2",
    "policy/policyexception.yaml.j2",
    "releases/helmrelease.yaml.j2",
    "releases/helmrepository.yaml.j2",
    "releases/ocirepository.yaml.j2",
    "routes/_parents.j2",
    "routes/grpcroute.yaml.j2",
    "routes/httproute.yaml.j2",
    "routes/ingress.yaml.j2",
    "routes/middleware.yaml.j2",
    "secrets/externalsecret.yaml.j2",
    "secrets/sealedsecret.yaml.j2",
    "storage/pvc.yaml.j2",
    "storage/storageclass.yaml.j2",
    "tenancy/limitrange.yaml.j2",
    "tenancy/resourcequota.yaml.j2",
    "tls/certificate.yaml.j2",
    "tls/issuer.yaml.j2",
    "workload/_pod.j2",
    "workload/_probe.j2",
    "workload/daemonset.yaml.j2",
    "workload/deployment.yaml.j2",
    "workload/service.yaml.j2",
    "workload/statefulset.yaml.j2",
];

/// A rendered tree: relative path → content, in path order.
pub type Tree = BTreeMap<String, String>;

pub fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_filter("yaml", scalar);
    env.add_filter("block", block);
    env.add_filter("yaml_tree", tree);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .with_context(|| format!("template {name} does not compile"))?;
    }
    Ok(env)
}

fn json(value: &Value, filter: &str) -> Result<serde_json::Value, Error> {
    if value.is_undefined() || value.is_none() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            format!("{filter}: a missing value cannot be written"),
        ));
    }
    serde_json::to_value(value)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("{filter}: {e}")))
}

/// `yaml`: a scalar as YAML, quoted only where a reader would misread it.
pub fn scalar(value: Value) -> Result<String, Error> {
    yaml::scalar(&json(&value, "yaml")?).ok_or_else(|| {
        Error::new(
            ErrorKind::InvalidOperation,
            "yaml: not a scalar; use yaml_tree for nested values",
        )
    })
}

/// `block(indent)`: text as a literal block scalar indented by `indent`
/// spaces when it has several lines and a block carries it exactly; as a
/// scalar otherwise.
pub fn block(value: String, indent: usize) -> Result<String, Error> {
    Ok(yaml::literal_block(&value, indent).unwrap_or_else(|| yaml::string(&value)))
}

/// `yaml_tree(indent)`: any value as the rest of a `key:` line, nested
/// mappings and sequences as blocks at `indent` spaces.
pub fn tree(value: Value, indent: usize) -> Result<String, Error> {
    Ok(yaml::tree(&json(&value, "yaml_tree")?, indent))
}

/// The dependency graph as a Mermaid flowchart or a Graphviz digraph.
pub fn graph(graph: &crate::ir::Graph, dot: bool) -> Result<String> {
    let env = environment()?;
    let name = if dot {
        "docs/graph.dot.j2"
    } else {
        "docs/graph.mmd.j2"
    };
    let text = env
        .get_template(name)?
        .render(minijinja::context! { r => Value::from_serialize(graph) })?;
    Ok(format!("{}\n", text.trim_end()))
}

/// Renders every planned file, spread over the machine's cores; each planned
/// file is dropped once rendered.
pub fn render(plan: Plan) -> Result<Tree> {
    let env = environment()?;
    let texts = crate::parallel::map_owned(plan.files, |file| {
        render_file(&env, &file).map(|text| (file.path, text))
    });
    let mut tree = Tree::new();
    for entry in texts {
        let (path, text) = entry?;
        tree.insert(path, text);
    }
    Ok(tree)
}

/// The template that formats a resource.
pub fn template(resource: &Resource) -> &'static str {
    match resource {
        Resource::Namespace(_) => "base/namespace.yaml.j2",
        Resource::ServiceAccount(_) => "base/serviceaccount.yaml.j2",
        Resource::PriorityClass(_) => "base/priorityclass.yaml.j2",
        Resource::StorageClass(_) => "storage/storageclass.yaml.j2",
        Resource::Component(_) => "base/component.yaml.j2",
        Resource::Kustomization(_) => "kustomization.yaml.j2",
        Resource::Workload(w) => match w.kind {
            WorkloadKind::Deployment => "workload/deployment.yaml.j2",
            WorkloadKind::StatefulSet => "workload/statefulset.yaml.j2",
            WorkloadKind::DaemonSet => "workload/daemonset.yaml.j2",
            WorkloadKind::Job => "jobs/job.yaml.j2",
            WorkloadKind::CronJob => "jobs/cronjob.yaml.j2",
        },
        Resource::Service(_) => "workload/service.yaml.j2",
        Resource::ConfigMap(_) => "config/configmap.yaml.j2",
        Resource::Pvc(_) => "storage/pvc.yaml.j2",
        Resource::Pdb(_) => "availability/pdb.yaml.j2",
        Resource::HttpRoute(_) => "routes/httproute.yaml.j2",
        Resource::ExternalSecret(_) => "secrets/externalsecret.yaml.j2",
        Resource::NetworkPolicy(_) => "network/networkpolicy.yaml.j2",
        Resource::ClusterPolicy(_) => "policy/clusterpolicy.yaml.j2",
        Resource::PolicyException(_) => "policy/policyexception.yaml.j2",
        Resource::SealedSecret(_) => "secrets/sealedsecret.yaml.j2",
        Resource::Hpa(_) => "availability/hpa.yaml.j2",
        Resource::WorkloadPatch(_) => "environments/workloadpatch.yaml.j2",
        Resource::Application(_) => "gitops/application.yaml.j2",
        Resource::ApplicationSet(_) => "gitops/applicationset.yaml.j2",
        Resource::AppProject(_) => "gitops/appproject.yaml.j2",
        Resource::GitRepository(_) => "gitops/gitrepository.yaml.j2",
        Resource::Readme(_) => "docs/readme.md.j2",
        Resource::FluxKustomization(_) => "gitops/fluxkustomization.yaml.j2",
        Resource::Patch(_) => "environments/patch.yaml.j2",
        Resource::Gateway(_) => "edge/gateway.yaml.j2",
        Resource::GrpcRoute(_) => "routes/grpcroute.yaml.j2",
        Resource::Ingress(_) => "routes/ingress.yaml.j2",
        Resource::Middleware(_) => "routes/middleware.yaml.j2",
        Resource::Issuer(_) => "tls/issuer.yaml.j2",
        Resource::Certificate(_) => "tls/certificate.yaml.j2",
        Resource::ResourceQuota(_) => "tenancy/resourcequota.yaml.j2",
        Resource::LimitRange(_) => "tenancy/limitrange.yaml.j2",
        Resource::Replace(inner) => template(inner),
        Resource::HelmRepository(_) => "releases/helmrepository.yaml.j2",
        Resource::OciRepository(_) => "releases/ocirepository.yaml.j2",
        Resource::HelmRelease(_) => "releases/helmrelease.yaml.j2",
        Resource::Monitor(_) => "observability/monitor.yaml.j2",
        Resource::RuleSet(_) => "observability/rules.yaml.j2",
        Resource::Verbatim(_) => "",
    }
}

pub fn render_file(env: &Environment<'_>, file: &PlannedFile) -> Result<String> {
    if let Resource::Verbatim(v) = &file.resource {
        return Ok(v.text.clone());
    }
    let name = template(&file.resource);
    let template = env.get_template(name)?;
    // An overlay's replacing patch renders its object with the object's own
    // template, marked to replace the base's spec, labels and annotations.
    let (resource, replacing) = match &file.resource {
        Resource::Replace(inner) => (inner.as_ref(), true),
        r => (r, false),
    };
    let ctx = minijinja::context! {
        header => Value::from_serialize(&file.header),
        r => Value::from_serialize(resource),
        replacing => replacing,
    };
    let mut text = template
        .render(ctx)
        .with_context(|| format!("template {name} failed on {}", file.path))?;
    // One trailing newline, whatever the template's last line did.
    let end = text.trim_end_matches('\n').len();
    text.truncate(end);
    text.push('\n');
    Ok(text)
}
