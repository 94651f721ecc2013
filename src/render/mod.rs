//! Stage 4, render: minijinja formats each planned resource with its template.
//!
//! The templates in `templates/` are compiled into the binary, so platformc
//! works outside this repository. Undefined values are errors (strict mode),
//! and every scalar goes through `q`, which writes it as a JSON scalar: a
//! JSON string is a valid YAML scalar, so `on`, `yes`, `0755` or `1e3` stay
//! strings. Multi-line text goes through `block`, a YAML literal block.

use std::collections::BTreeMap;

use anyhow::{Context, Result};
use minijinja::{Environment, Error, ErrorKind, UndefinedBehavior, Value};

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
    "_argocd.j2",
    "_macros.j2",
    "application.yaml.j2",
    "applicationset.yaml.j2",
    "appproject.yaml.j2",
    "_pod.j2",
    "_probe.j2",
    "clusterpolicy.yaml.j2",
    "component.yaml.j2",
    "configmap.yaml.j2",
    "daemonset.yaml.j2",
    "deployment.yaml.j2",
    "externalsecret.yaml.j2",
    "fluxkustomization.yaml.j2",
    "gitrepository.yaml.j2",
    "hpa.yaml.j2",
    "httproute.yaml.j2",
    "kustomization.yaml.j2",
    "namespace.yaml.j2",
    "networkpolicy.yaml.j2",
    "patch.yaml.j2",
    "pdb.yaml.j2",
    "policyexception.yaml.j2",
    "priorityclass.yaml.j2",
    "pvc.yaml.j2",
    "readme.md.j2",
    "sealedsecret.yaml.j2",
    "service.yaml.j2",
    "serviceaccount.yaml.j2",
    "statefulset.yaml.j2",
    "storageclass.yaml.j2",
    "workloadpatch.yaml.j2",
];

/// A rendered tree: relative path → content, in path order.
pub type Tree = BTreeMap<String, String>;

pub fn environment() -> Result<Environment<'static>> {
    let mut env = Environment::new();
    env.set_undefined_behavior(UndefinedBehavior::Strict);
    env.set_trim_blocks(true);
    env.set_lstrip_blocks(true);
    env.set_keep_trailing_newline(true);
    env.add_filter("q", quote);
    env.add_filter("block", block);
    for (name, source) in TEMPLATES {
        env.add_template(name, source)
            .with_context(|| format!("template {name} does not compile"))?;
    }
    Ok(env)
}

/// `q`: a scalar as JSON, which YAML reads back as the same scalar.
pub fn quote(value: Value) -> Result<String, Error> {
    if value.is_undefined() || value.is_none() {
        return Err(Error::new(
            ErrorKind::UndefinedError,
            "q: a missing value cannot be written",
        ));
    }
    serde_json::to_string(&value)
        .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("q: {e}")))
}

/// `block(indent)`: multi-line text as a YAML literal block scalar indented by
/// `indent` spaces; anything a literal block cannot carry exactly is quoted.
pub fn block(value: String, indent: usize) -> Result<String, Error> {
    let representable = value.contains('\n')
        && !value.ends_with("\n\n")
        && !value.starts_with([' ', '\t', '\n'])
        && !value
            .chars()
            .any(|c| (c.is_control() && c != '\n' && c != '\t') || c == '\u{feff}')
        && !value.lines().any(|l| l.ends_with([' ', '\t']));
    if !representable {
        return serde_json::to_string(&value)
            .map_err(|e| Error::new(ErrorKind::InvalidOperation, format!("block: {e}")));
    }
    let chomp = if value.ends_with('\n') { "" } else { "-" };
    let pad = " ".repeat(indent);
    let mut out = format!("|{chomp}");
    for line in value.trim_end_matches('\n').split('\n') {
        out.push('\n');
        if !line.is_empty() {
            out.push_str(&pad);
            out.push_str(line);
        }
    }
    Ok(out)
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
        Resource::Namespace(_) => "namespace.yaml.j2",
        Resource::ServiceAccount(_) => "serviceaccount.yaml.j2",
        Resource::PriorityClass(_) => "priorityclass.yaml.j2",
        Resource::StorageClass(_) => "storageclass.yaml.j2",
        Resource::Component(_) => "component.yaml.j2",
        Resource::Kustomization(_) => "kustomization.yaml.j2",
        Resource::Workload(w) => match w.kind {
            WorkloadKind::Deployment => "deployment.yaml.j2",
            WorkloadKind::StatefulSet => "statefulset.yaml.j2",
            WorkloadKind::DaemonSet => "daemonset.yaml.j2",
        },
        Resource::Service(_) => "service.yaml.j2",
        Resource::ConfigMap(_) => "configmap.yaml.j2",
        Resource::Pvc(_) => "pvc.yaml.j2",
        Resource::Pdb(_) => "pdb.yaml.j2",
        Resource::HttpRoute(_) => "httproute.yaml.j2",
        Resource::ExternalSecret(_) => "externalsecret.yaml.j2",
        Resource::NetworkPolicy(_) => "networkpolicy.yaml.j2",
        Resource::ClusterPolicy(_) => "clusterpolicy.yaml.j2",
        Resource::PolicyException(_) => "policyexception.yaml.j2",
        Resource::SealedSecret(_) => "sealedsecret.yaml.j2",
        Resource::Hpa(_) => "hpa.yaml.j2",
        Resource::WorkloadPatch(_) => "workloadpatch.yaml.j2",
        Resource::Application(_) => "application.yaml.j2",
        Resource::ApplicationSet(_) => "applicationset.yaml.j2",
        Resource::AppProject(_) => "appproject.yaml.j2",
        Resource::GitRepository(_) => "gitrepository.yaml.j2",
        Resource::Readme(_) => "readme.md.j2",
        Resource::FluxKustomization(_) => "fluxkustomization.yaml.j2",
        Resource::Patch(_) => "patch.yaml.j2",
        Resource::Verbatim(_) => "",
    }
}

pub fn render_file(env: &Environment<'_>, file: &PlannedFile) -> Result<String> {
    if let Resource::Verbatim(v) = &file.resource {
        return Ok(v.text.clone());
    }
    let name = template(&file.resource);
    let template = env.get_template(name)?;
    let ctx = minijinja::context! {
        header => Value::from_serialize(&file.header),
        r => Value::from_serialize(&file.resource),
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

#[cfg(test)]
mod tests {
    use super::*;

    fn q(s: &str) -> String {
        quote(Value::from(s)).unwrap()
    }

    #[test]
    fn ambiguous_strings_are_quoted() {
        for s in [
            "on", "yes", "no", "1", "0755", "1e3", "", "null", "~", "true",
        ] {
            assert_eq!(q(s), format!("\"{s}\""));
        }
        assert_eq!(quote(Value::from(3)).unwrap(), "3");
        assert_eq!(quote(Value::from(true)).unwrap(), "true");
    }

    #[test]
    fn blocks_keep_text_exactly() {
        assert_eq!(block("a\nb\n".into(), 2).unwrap(), "|\n  a\n  b");
        assert_eq!(block("a\nb".into(), 2).unwrap(), "|-\n  a\n  b");
        assert_eq!(block("a\n\nb\n".into(), 2).unwrap(), "|\n  a\n\n  b");
        assert_eq!(block("one line".into(), 2).unwrap(), "\"one line\"");
        assert_eq!(block(" lead\nx\n".into(), 2).unwrap(), "\" lead\\nx\\n\"");
        assert_eq!(block("a\n\n".into(), 2).unwrap(), "\"a\\n\\n\"");
    }
}
