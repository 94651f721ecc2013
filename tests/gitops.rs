//! The GitOps objects: every path they name exists and builds, Argo CD's
//! waves follow the dependency graph, Flux's dependsOn follows it too, and
//! onboarding a service is one new file.

mod common;

use std::collections::{BTreeMap, BTreeSet};
use std::fs;
use std::path::Path;

use common::*;
use serde_json::Value;

fn docs(dir: &Path) -> Vec<(String, Value)> {
    read_tree(dir)
        .into_iter()
        .filter(|(rel, _)| rel.ends_with(".yaml") && !rel.ends_with(".sops.yaml"))
        .map(|(rel, bytes)| {
            let v: Value = serde_saphyr::from_str(&String::from_utf8(bytes).unwrap()).unwrap();
            (rel, v)
        })
        .collect()
}

fn kind<'a>(docs: &'a [(String, Value)], api: &str, kind: &str) -> Vec<&'a (String, Value)> {
    docs.iter()
        .filter(|(_, d)| d["apiVersion"] == api && d["kind"] == kind)
        .collect()
}

/// The repository path of the rendered tree (platform.toml [gitops] path).
const TREE: &str = "output/";

fn assert_kustomization_dir(out: &Path, repo_path: &str, by: &str) {
    let rel = repo_path
        .trim_start_matches("./")
        .strip_prefix(TREE)
        .unwrap_or_else(|| panic!("{by}: {repo_path} is outside {TREE}"));
    assert!(
        out.join(rel).join("kustomization.yaml").is_file(),
        "{by} names {repo_path}, which holds no kustomization.yaml"
    );
}

/// A copy of Orbit's sources, optionally with another engines line.
fn orbit_copy(engines: Option<&str>) -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let mut platform = fs::read_to_string(repo_root().join("platform.toml")).unwrap();
    if let Some(e) = engines {
        platform = platform.replace("engines = [\"argocd\"]", e);
    }
    fs::write(dir.path().join("platform.toml"), platform).unwrap();
    copy_dir(&repo_root().join("services"), &dir.path().join("services"));
    copy_dir(&repo_root().join("releases"), &dir.path().join("releases"));
    dir
}

fn render_into(root: &Path) -> platformc::output::WriteReport {
    let tree = platformc::compile(root).unwrap_or_else(|e| panic!("{e:#}"));
    platformc::output::write(&root.join("output"), &tree).unwrap()
}

#[test]
fn every_path_an_argo_cd_object_names_exists() {
    let out = repo_root().join("output");
    let all = docs(&out);
    let apps = kind(&all, "argoproj.io/v1alpha1", "Application");
    assert!(apps.len() > 50, "{}", apps.len());
    for (rel, app) in &apps {
        // A release's Application reads a chart (and values from git) instead.
        if let Some(path) = app["spec"]["source"]["path"].as_str() {
            assert_kustomization_dir(&out, path, rel);
        }
        for source in app["spec"]["sources"].as_array().into_iter().flatten() {
            if let Some(path) = source["path"].as_str() {
                assert_kustomization_dir(&out, path, rel);
            }
            for file in source["helm"]["valueFiles"]
                .as_array()
                .into_iter()
                .flatten()
            {
                let file = file.as_str().unwrap().strip_prefix("$values/").unwrap();
                let file = file.strip_prefix(TREE).unwrap();
                assert!(out.join(file).is_file(), "{rel} names {file}");
            }
        }
    }
    let sets = kind(&all, "argoproj.io/v1alpha1", "ApplicationSet");
    assert_eq!(sets.len(), 1);
    for (rel, set) in sets {
        let glob = set["spec"]["generators"][0]["git"]["directories"][0]["path"]
            .as_str()
            .unwrap();
        let parent = glob.strip_suffix("/*").unwrap().strip_prefix(TREE).unwrap();
        let dirs: Vec<_> = fs::read_dir(out.join(parent)).unwrap().collect();
        assert_eq!(dirs.len(), 3, "{rel}: one directory per environment");
        for d in dirs {
            assert!(
                d.unwrap().path().join("kustomization.yaml").is_file(),
                "{rel}"
            );
        }
    }
}

#[test]
fn argo_cd_waves_follow_the_dependency_graph() {
    let out = repo_root().join("output");
    let all = docs(&out);
    let (loaded, _) = platformc::load::load(&repo_root());
    let loaded = loaded.unwrap();
    let wave = |app: &Value| -> i64 {
        app["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]
            .as_str()
            .unwrap()
            .parse()
            .unwrap()
    };
    for env in ["dev", "staging", "production"] {
        let apps: BTreeMap<String, &Value> = kind(&all, "argoproj.io/v1alpha1", "Application")
            .into_iter()
            .filter(|(rel, _)| rel.starts_with(&format!("argocd/envs/{env}/")))
            .map(|(_, a)| (a["metadata"]["name"].as_str().unwrap().to_string(), a))
            .collect();
        let base = apps[&format!("orbit-{env}-base")];
        assert_eq!(wave(base), 0);
        for svc in &loaded.services {
            let app = apps[&format!("orbit-{env}-{}", svc.name)];
            assert!(wave(app) > wave(base), "{}", svc.name);
            for d in &svc.file.depends_on {
                let dep = apps[&format!("orbit-{env}-{}", d.service.get_ref())];
                assert!(
                    wave(dep) <= wave(app),
                    "{} before {}",
                    d.service.get_ref(),
                    svc.name
                );
            }
        }
    }
    for (rel, app) in kind(&all, "argoproj.io/v1alpha1", "Application") {
        let sync = &app["spec"]["syncPolicy"];
        assert_eq!(sync["automated"]["prune"], Value::Bool(true), "{rel}");
        assert_eq!(sync["automated"]["selfHeal"], Value::Bool(true), "{rel}");
        let options: Vec<&str> = sync["syncOptions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|o| o.as_str().unwrap())
            .collect();
        assert!(
            !options.iter().any(|o| o.starts_with("ApplyOutOfSyncOnly")),
            "{rel}"
        );
        for o in [
            "ServerSideApply=true",
            "RespectIgnoreDifferences=true",
            "CreateNamespace=true",
        ] {
            assert!(options.contains(&o), "{rel}: {o}");
        }
        assert!(
            app["metadata"]["finalizers"][0] == "resources-finalizer.argocd.argoproj.io",
            "{rel}"
        );
    }
    let cm = &all
        .iter()
        .find(|(rel, _)| rel == "argocd/argocd-cm.yaml")
        .unwrap()
        .1;
    assert!(
        cm["data"]["resource.customizations.health.argoproj.io_Application"]
            .as_str()
            .unwrap()
            .contains("obj.status.health.status")
    );
}

#[test]
fn orbit_renders_with_flux_too() {
    let root = orbit_copy(Some("engines = [\"flux\"]"));
    render_into(root.path());
    let out = root.path().join("output");
    let all = docs(&out);
    let ks = kind(&all, "kustomize.toolkit.fluxcd.io/v1", "Kustomization");
    let names: BTreeSet<&str> = ks
        .iter()
        .map(|(_, k)| k["metadata"]["name"].as_str().unwrap())
        .collect();
    let repos = kind(&all, "source.toolkit.fluxcd.io/v1", "GitRepository");
    assert_eq!(repos.len(), 1);
    let (loaded, _) = platformc::load::load(root.path());
    let loaded = loaded.unwrap();
    for (rel, k) in &ks {
        assert_kustomization_dir(&out, k["spec"]["path"].as_str().unwrap(), rel);
        assert_eq!(
            k["spec"]["sourceRef"]["name"], repos[0].1["metadata"]["name"],
            "{rel}"
        );
        assert_eq!(k["spec"]["prune"], Value::Bool(true), "{rel}");
        assert_eq!(k["spec"]["wait"], Value::Bool(true), "{rel}");
        for d in k["spec"]["dependsOn"].as_array().into_iter().flatten() {
            assert!(names.contains(d["name"].as_str().unwrap()), "{rel}: {d}");
        }
    }
    for env in ["dev", "staging", "production"] {
        for svc in &loaded.services {
            let k = &ks
                .iter()
                .find(|(_, k)| k["metadata"]["name"] == format!("orbit-{env}-{}", svc.name))
                .unwrap()
                .1;
            let deps: BTreeSet<String> = k["spec"]["dependsOn"]
                .as_array()
                .unwrap()
                .iter()
                .map(|d| d["name"].as_str().unwrap().to_string())
                .collect();
            let mut want: BTreeSet<String> = svc
                .file
                .depends_on
                .iter()
                .map(|d| format!("orbit-{env}-{}", d.service.get_ref()))
                .collect();
            want.insert(format!("orbit-{env}-base"));
            // A service with a monitor waits for the release installing the
            // monitoring CRDs.
            if svc.file.ports.iter().any(|p| p.serves_metrics()) {
                want.insert("orbit-kube-prometheus-stack".into());
            }
            assert_eq!(deps, want, "orbit-{env}-{}", svc.name);
        }
    }
    if let Some(schemas) = common::schema::schemas_dir() {
        let (n, errors) = common::schema::check_tree(&out.join("flux"), &schemas);
        assert!(n > 50 && errors.is_empty(), "{n}: {errors:#?}");
    }
    let failures = kustomize_all(&out.join("flux"));
    assert!(failures.is_empty(), "{failures:#?}");
    flux_bootstrap_shares_the_cluster_directory(root.path());
}

/// `flux bootstrap` writes `flux-system/` into the cluster's directory; the
/// directory has no kustomization.yaml, so kustomize-controller generates
/// one of every manifest and sub-directory (bootstrap's included), and the
/// drift check leaves bootstrap's files alone.
fn flux_bootstrap_shares_the_cluster_directory(root: &Path) {
    let out = root.join("output");
    let cluster = out.join("flux/clusters/talos");
    assert!(!cluster.join("kustomization.yaml").exists());
    let bootstrap = cluster.join("flux-system");
    fs::create_dir_all(&bootstrap).unwrap();
    fs::write(
        bootstrap.join("kustomization.yaml"),
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n  - gotk-sync.yaml\n",
    )
    .unwrap();
    fs::write(
        bootstrap.join("gotk-sync.yaml"),
        "apiVersion: v1\nkind: ConfigMap\nmetadata:\n  name: stand-in-for-gotk-sync\n  namespace: flux-system\n",
    )
    .unwrap();
    let tree = platformc::compile(root).unwrap();
    let drift = platformc::output::diff(&out, &tree).unwrap();
    assert!(drift.is_clean(), "{drift}");
    // What kustomize-controller generates for the directory.
    let mut generated = String::from(
        "apiVersion: kustomize.config.k8s.io/v1beta1\nkind: Kustomization\nresources:\n",
    );
    let mut entries: Vec<String> = fs::read_dir(&cluster)
        .unwrap()
        .map(|e| e.unwrap().file_name().to_string_lossy().into_owned())
        .collect();
    entries.sort();
    for e in entries {
        generated.push_str(&format!("  - {e}\n"));
    }
    fs::write(cluster.join("kustomization.yaml"), generated).unwrap();
    if let Some(docs) = built(&cluster) {
        assert!(
            docs.iter()
                .any(|d| d["metadata"]["name"] == "stand-in-for-gotk-sync")
        );
        assert!(docs.iter().any(|d| d["kind"] == "GitRepository"));
    }
    fs::remove_file(cluster.join("kustomization.yaml")).unwrap();
}

/// Flux substitutes `${var}` in every object of a Kustomization whose
/// cluster sets variables, unless the object is annotated
/// `kustomize.toolkit.fluxcd.io/substitute: disabled`.
fn substituted_by_flux(doc: &Value) -> bool {
    doc["metadata"]["annotations"]["kustomize.toolkit.fluxcd.io/substitute"] != "disabled"
}

#[test]
fn orbit_with_flux_and_cluster_variables_keeps_every_dollar_brace() {
    let root = orbit_copy(Some("engines = [\"flux\"]"));
    let platform = root.path().join("platform.toml");
    let text = fs::read_to_string(&platform).unwrap().replace(
        "nodes = 3\n",
        "nodes = 3\nvars = { CLUSTER = \"talos\", DOMAIN = \"hoytlabs.app\" }\n",
    );
    fs::write(&platform, text).unwrap();
    render_into(root.path());
    let out = root.path().join("output");
    let all = docs(&out);
    let ks = kind(&all, "kustomize.toolkit.fluxcd.io/v1", "Kustomization");
    assert!(
        ks.iter()
            .all(|(_, k)| k["spec"]["postBuild"]["substitute"]["CLUSTER"] == "talos")
    );
    let mut scripts = 0;
    for (rel, k) in &ks {
        let path = k["spec"]["path"].as_str().unwrap();
        let dir = out.join(path.trim_start_matches("./").strip_prefix(TREE).unwrap());
        let Some(built) = built(&dir) else { return };
        for doc in &built {
            let text = serde_json::to_string(doc).unwrap();
            if text.contains("${") {
                scripts += 1;
                assert!(
                    !substituted_by_flux(doc),
                    "{rel}: Flux would rewrite the `${{` of {} {}",
                    doc["kind"],
                    doc["metadata"]["name"]
                );
            }
        }
    }
    // temporal's start script (in each environment) and the storage
    // class's subDir template.
    assert!(scripts >= 4, "{scripts}");
    let temporal = &all
        .iter()
        .find(|(rel, _)| rel == "infrastructure/temporal/deployment.yaml")
        .unwrap()
        .1;
    let args = temporal["spec"]["template"]["spec"]["containers"][0]["args"][0]
        .as_str()
        .unwrap();
    assert!(args.contains("${BIND_ON_IP:=$(getent hosts"), "{args}");
}

/// Flux dry-runs every object of a Kustomization before applying any
/// (kustomize-controller #1194), and Kyverno judges the dry run: a
/// PolicyException must be applied by a Kustomization the workload's
/// depends on, never by the workload's own. Argo CD the same way: the
/// exception is in the environment's base Application, wave 0.
#[test]
fn kyverno_exceptions_are_applied_before_the_workloads_they_excuse() {
    let root = orbit_copy(Some("engines = [\"flux\"]"));
    render_into(root.path());
    let out = root.path().join("output");
    let all = docs(&out);
    let ks = kind(&all, "kustomize.toolkit.fluxcd.io/v1", "Kustomization");
    let mut applied_by: BTreeMap<(String, String), String> = BTreeMap::new();
    for (_, k) in &ks {
        let path = k["spec"]["path"].as_str().unwrap();
        let dir = out.join(path.trim_start_matches("./").strip_prefix(TREE).unwrap());
        let Some(built) = built(&dir) else { return };
        for doc in built {
            let key = (
                doc["kind"].as_str().unwrap_or_default().to_string(),
                format!(
                    "{}/{}",
                    doc["metadata"]["namespace"], doc["metadata"]["name"]
                ),
            );
            applied_by.insert(key, k["metadata"]["name"].as_str().unwrap().to_string());
        }
    }
    let by_name: BTreeMap<&str, &Value> = ks
        .iter()
        .map(|(_, k)| (k["metadata"]["name"].as_str().unwrap(), k))
        .collect();
    let mut checked = 0;
    for ((kind, id), unit) in &applied_by {
        if kind != "PolicyException" {
            continue;
        }
        let workload = applied_by
            .iter()
            .find(|((k, i), _)| k == "DaemonSet" && i == id)
            .map(|(_, u)| u)
            .expect("buildkit's DaemonSet is applied");
        assert_ne!(
            unit, workload,
            "{id}: the exception and its workload in one Kustomization"
        );
        let deps: Vec<&str> = by_name[workload.as_str()]["spec"]["dependsOn"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| d["name"].as_str().unwrap())
            .collect();
        assert!(
            deps.contains(&unit.as_str()),
            "{workload} does not wait for {unit}"
        );
        checked += 1;
    }
    assert!(checked >= 3, "buildkit in every environment: {checked}");
}

#[test]
fn onboarding_a_service_is_one_file_and_removing_it_removes_its_files() {
    let root = orbit_copy(None);
    render_into(root.path());
    let out = root.path().join("output");
    let before = read_tree(&out);

    fs::copy(
        fixtures().join("onboarding/guestbook.toml"),
        root.path().join("services/guestbook.toml"),
    )
    .unwrap();
    let added = render_into(root.path());
    let written: BTreeSet<&str> = added.written.iter().map(String::as_str).collect();
    for f in [
        "services/guestbook/deployment.yaml",
        "services/guestbook/networkpolicy.yaml",
        "services/guestbook/externalsecret.yaml",
    ] {
        assert!(written.contains(f), "{f}");
    }
    for env in ["dev", "staging", "production"] {
        assert!(
            written
                .contains(format!("overlays/{env}/services/guestbook/kustomization.yaml").as_str()),
            "{env}"
        );
        assert!(
            written.contains(format!("argocd/envs/{env}/application-guestbook.yaml").as_str()),
            "{env}"
        );
        assert!(
            written.contains(format!("overlays/{env}/kustomization.yaml").as_str()),
            "{env}"
        );
        assert!(
            written.contains(format!("argocd/envs/{env}/kustomization.yaml").as_str()),
            "{env}"
        );
    }
    // redis now admits guestbook; nothing outside the graph changed.
    assert!(written.contains("databases/redis/networkpolicy.yaml"));
    assert!(!written.iter().any(|w| w.starts_with("databases/mongodb/")));
    let failures = kustomize_all(&out.join("overlays/dev/services/guestbook"));
    assert!(failures.is_empty(), "{failures:#?}");

    fs::remove_file(root.path().join("services/guestbook.toml")).unwrap();
    let removed = render_into(root.path());
    assert!(
        removed
            .removed
            .iter()
            .any(|r| r == "argocd/envs/production/application-guestbook.yaml")
    );
    assert!(!out.join("services/guestbook").exists());
    assert!(!out.join("overlays/dev/services/guestbook").exists());
    assert_eq!(
        read_tree(&out),
        before,
        "removing the service restores the tree"
    );
}

#[test]
fn every_environment_builds_to_hardened_workloads_in_its_namespace() {
    let out = repo_root().join("output");
    for (env, ns) in [
        ("dev", "orbit-dev"),
        ("staging", "orbit-staging"),
        ("production", "orbit"),
    ] {
        let Some(docs) = built(&out.join("overlays").join(env)) else {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "kubectl is missing"
            );
            return;
        };
        let mut workloads = 0;
        for d in &docs {
            let k = d["kind"].as_str().unwrap();
            if d["metadata"]["namespace"].is_string() {
                assert_eq!(
                    d["metadata"]["namespace"], ns,
                    "{env}: {k} {}",
                    d["metadata"]["name"]
                );
            }
            if !["Deployment", "StatefulSet", "DaemonSet"].contains(&k) {
                continue;
            }
            workloads += 1;
            let name = d["metadata"]["name"].as_str().unwrap();
            let pod = &d["spec"]["template"]["spec"];
            assert!(
                pod["securityContext"]["seccompProfile"].is_object(),
                "{env}/{name}"
            );
            assert_eq!(
                pod["automountServiceAccountToken"],
                Value::Bool(false),
                "{env}/{name}"
            );
            let c = &pod["containers"][0];
            assert!(
                c["readinessProbe"].is_object() && c["livenessProbe"].is_object(),
                "{env}/{name}"
            );
            assert!(
                c["resources"]["limits"]["memory"].is_string(),
                "{env}/{name}"
            );
            let image = c["image"].as_str().unwrap();
            if image.starts_with("ghcr.io/drewpayment/orbit/") {
                // Pinned by the immutable tag CI pushed, never a moving one.
                assert!(image.contains(":sha-"), "{env}/{name}: {image}");
            }
            if d["spec"]["replicas"].as_i64().is_some_and(|r| r > 1) {
                assert!(pod["topologySpreadConstraints"].is_array(), "{env}/{name}");
                assert!(
                    docs.iter().any(
                        |p| p["kind"] == "PodDisruptionBudget" && p["metadata"]["name"] == name
                    ),
                    "{env}/{name}: replicated without a PDB"
                );
            }
        }
        assert_eq!(workloads, 18, "{env}");
        let routes: Vec<&str> = docs
            .iter()
            .filter(|d| d["kind"] == "HTTPRoute")
            .map(|d| d["spec"]["hostnames"][0].as_str().unwrap())
            .collect();
        let domain = if env == "production" {
            "hoytlabs.app".to_string()
        } else {
            format!("{env}.hoytlabs.app")
        };
        assert!(
            routes.iter().all(|h| h.ends_with(&domain)),
            "{env}: {routes:?}"
        );
    }
}
