//! Orbit, the platform this repository describes: the committed output/ is
//! exactly what the sources compile to (the drift check), every
//! kustomization in it builds, the render is byte-identical from anywhere,
//! and each service carries the values of seeds 001 and 000.

mod common;

use std::fs;
use std::process::Command;

use common::*;
use serde_json::Value;

#[test]
fn committed_output_is_what_the_sources_compile_to() {
    let root = repo_root();
    let tree = platformc::compile(&root).unwrap_or_else(|e| panic!("{e:#}"));
    let drift = platformc::output::diff(&root.join("output"), &tree).unwrap();
    assert!(
        drift.is_clean(),
        "output/ is stale; run `cargo xtask render` and commit the result:\n{drift}"
    );
}

#[test]
fn every_kustomization_in_output_builds() {
    let failures = kustomize_all(&repo_root().join("output"));
    assert!(failures.is_empty(), "{}", failures.join("\n"));
}

#[test]
fn the_render_is_identical_from_any_directory_time_zone_and_locale() {
    let root = repo_root();
    // A copy of the sources whose files are created in reverse order.
    let copy = tempfile::tempdir().unwrap();
    fs::copy(
        root.join("platform.toml"),
        copy.path().join("platform.toml"),
    )
    .unwrap();
    fs::create_dir(copy.path().join("services")).unwrap();
    copy_dir(&root.join("releases"), &copy.path().join("releases"));
    let mut names: Vec<_> = fs::read_dir(root.join("services"))
        .unwrap()
        .map(|e| e.unwrap().file_name())
        .collect();
    names.sort();
    names.reverse();
    for n in names {
        fs::copy(
            root.join("services").join(&n),
            copy.path().join("services").join(&n),
        )
        .unwrap();
    }
    let out = tempfile::tempdir().unwrap();
    let cwd = tempfile::tempdir().unwrap();
    let status = Command::new(env!("CARGO_BIN_EXE_platformc"))
        .arg("--root")
        .arg(copy.path())
        .arg("--out")
        .arg(out.path())
        .arg("render")
        .current_dir(cwd.path())
        .env("TZ", "Pacific/Kiritimati")
        .env("LC_ALL", "tr_TR.UTF-8")
        .env("LANG", "tr_TR.UTF-8")
        .output()
        .unwrap();
    assert!(
        status.status.success(),
        "{}",
        String::from_utf8_lossy(&status.stderr)
    );
    let differing = tree_differences(&read_tree(out.path()), &read_tree(&root.join("output")));
    assert!(differing.is_empty(), "the renders differ in: {differing:?}");
}

#[test]
fn check_names_a_hand_edited_file_and_fails() {
    let root = repo_root();
    let out = tempfile::tempdir().unwrap();
    copy_dir(&root.join("output"), out.path());
    let target = out.path().join("databases/mongodb/service.yaml");
    let text = fs::read_to_string(&target).unwrap();
    fs::write(&target, text.replace("27017", "27018")).unwrap();
    let o = Command::new(env!("CARGO_BIN_EXE_platformc"))
        .arg("--root")
        .arg(&root)
        .arg("--out")
        .arg(out.path())
        .arg("check")
        .output()
        .unwrap();
    assert!(!o.status.success());
    let stdout = String::from_utf8_lossy(&o.stdout);
    let stderr = String::from_utf8_lossy(&o.stderr);
    assert!(
        stdout.contains("changed: databases/mongodb/service.yaml"),
        "{stdout}"
    );
    assert!(stdout.contains("+      port: 27017"), "{stdout}");
    assert!(stderr.contains("platformc render"), "{stderr}");
}

fn doc(path: &str) -> Value {
    let text = fs::read_to_string(repo_root().join("output").join(path))
        .unwrap_or_else(|e| panic!("{path}: {e}"));
    serde_saphyr::from_str(&text).unwrap()
}

fn s(v: &Value) -> &str {
    v.as_str().unwrap_or_else(|| panic!("not a string: {v}"))
}

/// name, category, kind, image, ports, [cpu request, cpu limit, memory
/// request, memory limit], priority class, grace period.
type Expected<'a> = (
    &'a str,
    &'a str,
    &'a str,
    &'a str,
    &'a [(&'a str, i64)],
    [&'a str; 4],
    &'a str,
    i64,
);

/// Seed 001 (inventory) and 000 (§9.5 sizing, §3.3 grace periods, §3.6
/// priorities, §4.2 waves), service by service.
#[test]
fn every_orbit_service_carries_the_seed_values() {
    #[rustfmt::skip]
    let table: &[Expected] = &[
        ("mongodb", "databases", "StatefulSet", "mongo:7", &[("mongodb", 27017)], ["200m", "1000m", "512Mi", "2Gi"], "orbit-critical", 60),
        ("postgresql", "databases", "StatefulSet", "postgres:15-alpine", &[("postgresql", 5432)], ["200m", "500m", "256Mi", "1Gi"], "orbit-critical", 60),
        ("redis", "databases", "StatefulSet", "redis:7-alpine", &[("redis", 6379)], ["100m", "300m", "128Mi", "512Mi"], "orbit-critical", 60),
        ("redpanda", "databases", "StatefulSet", "redpandadata/redpanda:v24.2.10", &[("kafka", 9092), ("http-admin", 9644)], ["200m", "1000m", "512Mi", "2Gi"], "orbit-critical", 60),
        ("minio", "databases", "StatefulSet", "minio/minio:latest", &[("http", 9000), ("http-console", 9001)], ["100m", "500m", "256Mi", "1Gi"], "orbit-critical", 60),
        ("temporal", "infrastructure", "Deployment", "temporalio/auto-setup:1.25.1", &[("grpc", 7233), ("http-metrics", 8233)], ["200m", "500m", "256Mi", "1Gi"], "orbit-critical", 60),
        ("temporal-ui", "infrastructure", "Deployment", "temporalio/ui:2.30.0", &[("http", 8080)], ["50m", "200m", "64Mi", "256Mi"], "orbit-standard", 30),
        ("registry", "infrastructure", "Deployment", "registry:2", &[("http", 5050)], ["50m", "200m", "64Mi", "256Mi"], "orbit-standard", 30),
        ("buildkit", "infrastructure", "DaemonSet", "moby/buildkit:latest", &[("grpc", 1234)], ["500m", "4000m", "512Mi", "4Gi"], "orbit-batch", 30),
        ("oauth2-proxy", "infrastructure", "Deployment", "quay.io/oauth2-proxy/oauth2-proxy:v7.7.1", &[("http", 4180), ("http-metrics", 44180)], ["50m", "200m", "64Mi", "128Mi"], "orbit-standard", 30),
        ("repository-service", "services", "Deployment", "ghcr.io/drewpayment/orbit/repository-service:latest", &[("grpc", 50051), ("http-metrics", 8081)], ["100m", "300m", "64Mi", "256Mi"], "orbit-standard", 30),
        ("kafka-service", "services", "Deployment", "ghcr.io/drewpayment/orbit/kafka-service:latest", &[("grpc", 50055)], ["100m", "300m", "64Mi", "256Mi"], "orbit-standard", 30),
        ("bifrost", "services", "Deployment", "ghcr.io/drewpayment/orbit/bifrost:latest", &[("grpc", 50060), ("kafka-proxy", 9092), ("http", 8080)], ["100m", "300m", "128Mi", "512Mi"], "orbit-standard", 30),
        ("build-service", "services", "Deployment", "ghcr.io/drewpayment/orbit/build-service:latest", &[("grpc", 50054)], ["200m", "1000m", "256Mi", "1Gi"], "orbit-batch", 300),
        ("plugins-service", "services", "Deployment", "ghcr.io/drewpayment/orbit/plugins-service:latest", &[("grpc", 50053), ("http", 8080)], ["100m", "300m", "64Mi", "256Mi"], "orbit-standard", 30),
        ("temporal-worker", "services", "Deployment", "ghcr.io/drewpayment/orbit/temporal-worker:latest", &[], ["100m", "500m", "128Mi", "512Mi"], "orbit-standard", 120),
        ("orbit-www", "frontend", "Deployment", "ghcr.io/drewpayment/orbit/orbit-www:latest", &[("http", 3000)], ["200m", "1000m", "256Mi", "1Gi"], "orbit-standard", 30),
        ("orbit-docs", "frontend", "Deployment", "ghcr.io/drewpayment/orbit/orbit-docs:latest", &[("http", 3000)], ["50m", "200m", "64Mi", "256Mi"], "orbit-standard", 30),
    ];
    let waves = [
        ("databases", "1"),
        ("infrastructure", "2"),
        ("services", "3"),
        ("frontend", "4"),
    ];
    // Every serving service of the seeds is in the table (minio-init, a Job,
    // has its own test).
    let (loaded, _) = platformc::load::load(&repo_root());
    for svc in loaded.unwrap().services {
        assert!(
            svc.file.runs_to_completion() || table.iter().any(|t| t.0 == svc.name),
            "{} is missing from the seed table",
            svc.name
        );
    }

    for (name, category, kind, image, ports, res, priority, grace) in table {
        let file = format!("{category}/{name}/{}.yaml", kind.to_lowercase());
        let w = doc(&file);
        assert_eq!(s(&w["kind"]), *kind, "{file}");
        let wave = waves.iter().find(|(c, _)| c == category).unwrap().1;
        assert_eq!(
            s(&w["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"]),
            wave,
            "{file}"
        );
        assert_eq!(s(&w["metadata"]["namespace"]), "orbit", "{file}");
        let pod = &w["spec"]["template"]["spec"];
        assert_eq!(s(&pod["priorityClassName"]), *priority, "{file}");
        assert_eq!(
            pod["terminationGracePeriodSeconds"].as_i64(),
            Some(*grace),
            "{file}"
        );
        assert_eq!(s(&pod["serviceAccountName"]), "orbit", "{file}");
        let c = &pod["containers"][0];
        assert_eq!(s(&c["name"]), *name, "{file}");
        // Seed 001 names the repositories; CI pushes latest and
        // sha-<short>, and Orbit pins the platform's own images by the sha.
        let (repo, tag) = s(&c["image"]).rsplit_once(':').unwrap();
        let (want_repo, want_tag) = image.rsplit_once(':').unwrap();
        assert_eq!(repo, want_repo, "{file}");
        if repo.starts_with("ghcr.io/drewpayment/orbit/") {
            assert!(tag.starts_with("sha-"), "{file}: {tag}");
        } else {
            assert_eq!(tag, want_tag, "{file}");
        }
        assert_eq!(s(&c["imagePullPolicy"]), "IfNotPresent", "{file}");
        let got: Vec<(String, i64)> = c["ports"]
            .as_array()
            .map(|a| {
                a.iter()
                    .map(|p| {
                        (
                            s(&p["name"]).to_string(),
                            p["containerPort"].as_i64().unwrap(),
                        )
                    })
                    .collect()
            })
            .unwrap_or_default();
        let want: Vec<(String, i64)> = ports.iter().map(|(n, p)| (n.to_string(), *p)).collect();
        assert_eq!(got, want, "{file}");
        let r = &c["resources"];
        assert_eq!(
            [
                &r["requests"]["cpu"],
                &r["limits"]["cpu"],
                &r["requests"]["memory"],
                &r["limits"]["memory"]
            ]
            .map(|v| s(v).to_string()),
            res.map(str::to_string),
            "{file}"
        );
        assert!(
            c["readinessProbe"].is_object() && c["livenessProbe"].is_object(),
            "{file}"
        );
        assert_eq!(
            c["securityContext"]["readOnlyRootFilesystem"],
            Value::Bool(true),
            "{file}"
        );
        if !ports.is_empty() {
            let svc = doc(&format!("{category}/{name}/service.yaml"));
            assert_eq!(
                svc["spec"]["ports"].as_array().unwrap().len(),
                ports.len(),
                "{file}"
            );
        }
    }
}

/// 000 §3.6, §9.5: minio-init creates the registry's bucket before the
/// registry starts (a Job of an earlier wave), in the batch priority class.
#[test]
fn minio_init_creates_the_registry_bucket_before_the_registry_starts() {
    let job = doc("databases/minio-init/job.yaml");
    let pod = &job["spec"]["template"]["spec"];
    assert_eq!(s(&pod["priorityClassName"]), "orbit-batch");
    assert_eq!(s(&pod["restartPolicy"]), "Never");
    let script = s(&pod["containers"][0]["args"][0]);
    assert!(
        script.contains("mc mb --ignore-existing orbit/registry"),
        "{script}"
    );
    let registry = doc("infrastructure/registry/deployment.yaml");
    let wave = |d: &Value| -> u32 {
        s(&d["metadata"]["annotations"]["argocd.argoproj.io/sync-wave"])
            .parse()
            .unwrap()
    };
    assert!(wave(&job) < wave(&registry));
    assert_eq!(
        s(&job["metadata"]["annotations"]["argocd.argoproj.io/sync-options"]),
        "Force=true,Replace=true"
    );
}

#[test]
fn buildkit_states_its_privileged_exception_in_the_rendered_daemonset() {
    let text =
        fs::read_to_string(repo_root().join("output/infrastructure/buildkit/daemonset.yaml"))
            .unwrap();
    assert!(text.contains("# EXCEPTION privileged:"), "{text}");
    let d = doc("infrastructure/buildkit/daemonset.yaml");
    assert!(d["metadata"]["annotations"]["exceptions.platformc.dev/privileged"].is_string());
    let c = &d["spec"]["template"]["spec"]["containers"][0];
    assert_eq!(c["securityContext"]["privileged"], Value::Bool(true));
    // Every other workload runs as non-root without privilege escalation.
    for (rel, _) in read_tree(&repo_root().join("output")) {
        if rel.starts_with("overlays/")
            || !(rel.ends_with("/deployment.yaml") || rel.ends_with("/statefulset.yaml"))
        {
            continue;
        }
        let w = doc(&rel);
        let pod = &w["spec"]["template"]["spec"];
        assert_eq!(
            pod["securityContext"]["runAsNonRoot"],
            Value::Bool(true),
            "{rel}"
        );
        let c = &pod["containers"][0]["securityContext"];
        assert_eq!(c["allowPrivilegeEscalation"], Value::Bool(false), "{rel}");
        assert_eq!(
            c["capabilities"]["drop"][0],
            Value::String("ALL".into()),
            "{rel}"
        );
    }
}

#[test]
fn dependency_addresses_come_from_the_graph() {
    let www = doc("frontend/orbit-www/configmap.yaml");
    assert_eq!(s(&www["data"]["TEMPORAL_ADDRESS"]), "temporal:7233");
    assert_eq!(
        s(&www["data"]["REPOSITORY_SERVICE_URL"]),
        "repository-service:50051"
    );
    assert_eq!(
        s(&www["data"]["NEXT_PUBLIC_APP_URL"]),
        "https://orbit.hoytlabs.app"
    );
    let build = doc("services/build-service/configmap.yaml");
    assert_eq!(s(&build["data"]["BUILDKIT_HOST"]), "tcp://buildkit:1234");
    let route = doc("infrastructure/temporal-ui/httproute.yaml");
    assert_eq!(
        s(&route["spec"]["hostnames"][0]),
        "temporal.orbit.hoytlabs.app"
    );
}

#[test]
fn every_file_opens_with_the_generated_header() {
    for (rel, bytes) in read_tree(&repo_root().join("output")) {
        // A release's values file is the user's, copied byte for byte.
        if !rel.ends_with(".yaml") || rel.ends_with(platformc::layout::VALUES_SUFFIX) {
            continue;
        }
        let text = String::from_utf8(bytes).unwrap();
        assert!(text.starts_with("# === "), "{rel}");
        assert!(text.contains("\n# Source: "), "{rel}");
        assert!(
            text.contains("Do not edit: change the source and run `cargo xtask render`."),
            "{rel}"
        );
        assert!(
            !text.contains("/work/")
                && !text.contains("/home/")
                && !text.contains("/tmp/platformc"),
            "{rel}: absolute path"
        );
    }
}

#[test]
fn each_service_reads_only_its_own_secret_holding_exactly_its_keys() {
    let (loaded, diags) = platformc::load::load(&repo_root());
    assert!(diags.is_empty(), "{diags}");
    for svc in &loaded.unwrap().services {
        let category = svc.file.category.get_ref();
        let dir = format!("{category}/{}", svc.name);
        let kind = svc
            .file
            .kind
            .as_ref()
            .map_or("deployment".to_string(), |k| {
                format!("{:?}", k.get_ref()).to_lowercase()
            });
        let w = doc(&format!("{dir}/{kind}.yaml"));
        let pod = &w["spec"]["template"]["spec"];
        let c = &pod["containers"][0];
        let refs: Vec<&str> = c["envFrom"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|e| e["secretRef"]["name"].as_str())
            .collect();
        let declared: Vec<String> = svc
            .file
            .secrets
            .iter()
            .map(|k| k.get_ref().clone())
            .collect();
        if declared.is_empty() {
            assert!(refs.is_empty(), "{dir}: reads a secret it does not declare");
            assert!(
                !repo_root()
                    .join("output")
                    .join(&dir)
                    .join("externalsecret.yaml")
                    .exists()
            );
            continue;
        }
        let own = format!("{}-secrets", svc.name);
        assert_eq!(refs, vec![own.as_str()], "{dir}");
        let es = doc(&format!("{dir}/externalsecret.yaml"));
        assert_eq!(s(&es["spec"]["target"]["name"]), own);
        let keys: Vec<String> = es["spec"]["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|d| s(&d["secretKey"]).to_string())
            .collect();
        assert_eq!(keys, declared, "{dir}");
        for d in es["spec"]["data"].as_array().unwrap() {
            assert!(s(&d["remoteRef"]["key"]).starts_with("ORBIT_"), "{dir}");
        }
        // The platform's own images pull with the registry credentials.
        let own_image = s(&c["image"]).starts_with("ghcr.io/drewpayment/orbit/");
        let pull: Vec<&str> = pod["imagePullSecrets"]
            .as_array()
            .into_iter()
            .flatten()
            .filter_map(|p| p["name"].as_str())
            .collect();
        assert_eq!(pull.contains(&"ghcr-credentials"), own_image, "{dir}");
    }
}

/// Seed 000 §4.1 and the hosts of seed 001, in every environment as
/// kustomize builds it: a certificate for exactly the hosts served, each on
/// an HTTPS listener of the environment's Gateway; the Temporal UI reached
/// only through oauth2-proxy; the quota and limit range of §7.4 and §7.5.
#[test]
fn orbit_serves_its_hosts_over_tls_with_temporal_ui_behind_oauth2_proxy() {
    for env in ["dev", "staging", "production"] {
        let Some(docs) = built(&repo_root().join("output/overlays").join(env)) else {
            assert!(
                std::env::var("CI").map_or(true, |v| v != "true"),
                "kubectl is missing"
            );
            return;
        };
        let of =
            |kind: &str| -> Vec<&Value> { docs.iter().filter(|d| d["kind"] == kind).collect() };
        let mut hosts: Vec<String> = of("HTTPRoute")
            .iter()
            .filter(|r| !s(&r["metadata"]["name"]).ends_with("-https-redirect"))
            .map(|r| s(&r["spec"]["hostnames"][0]).to_string())
            .collect();
        hosts.sort();
        hosts.dedup();
        let cert = of("Certificate")[0];
        let mut names: Vec<String> = cert["spec"]["dnsNames"]
            .as_array()
            .unwrap()
            .iter()
            .map(|n| s(n).to_string())
            .collect();
        names.sort();
        assert_eq!(names, hosts, "{env}");
        let want_issuer = if env == "production" {
            "orbit-letsencrypt"
        } else {
            "orbit-letsencrypt-staging"
        };
        assert_eq!(s(&cert["spec"]["issuerRef"]["name"]), want_issuer, "{env}");
        let gateway = of("Gateway")[0];
        for h in &hosts {
            assert!(
                gateway["spec"]["listeners"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|l| l["hostname"] == h.as_str()
                        && l["tls"]["certificateRefs"][0]["name"] == cert["spec"]["secretName"]),
                "{env}: no HTTPS listener for {h}"
            );
        }
        let ui = of("HTTPRoute")
            .into_iter()
            .find(|r| r["metadata"]["name"] == "temporal-ui")
            .unwrap();
        assert_eq!(
            s(&ui["spec"]["rules"][0]["backendRefs"][0]["name"]),
            "oauth2-proxy",
            "{env}"
        );
        let policy = of("NetworkPolicy")
            .into_iter()
            .find(|p| p["metadata"]["name"] == "temporal-ui")
            .unwrap();
        let from = &policy["spec"]["ingress"];
        assert_eq!(from.as_array().unwrap().len(), 1, "{env}: {from}");
        assert_eq!(
            from[0]["from"][0]["podSelector"]["matchLabels"]["app"], "oauth2-proxy",
            "{env}"
        );
        let quota = of("ResourceQuota")[0];
        assert_eq!(s(&quota["spec"]["hard"]["requests.cpu"]), "8", "{env}");
        assert_eq!(
            s(&quota["spec"]["hard"]["requests.memory"]),
            "16Gi",
            "{env}"
        );
        let limits = &of("LimitRange")[0]["spec"]["limits"][0];
        assert_eq!(s(&limits["default"]["cpu"]), "500m", "{env}");
        assert_eq!(s(&limits["defaultRequest"]["memory"]), "128Mi", "{env}");
    }
}
