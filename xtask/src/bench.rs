//! `cargo xtask bench [DIR] [--sizes 20,200,2000] [--keep]`: renders synthetic
//! platforms (three environments, Argo CD) with the release binary and reports wall time, CPU time, peak
//! memory, files and bytes, next to the time `cp -r` takes to copy the same
//! tree into DIR (the floor for writing it). Then edits one service and
//! re-renders, reporting how many files that wrote. `--keep` leaves the
//! synthetic sources and trees in DIR for profiling. Put DIR on tmpfs to
//! measure the compiler rather than the disk.

use std::fmt::Write as _;
use std::fs;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};

use anyhow::{Context, Result, bail};

/// One measured child process.
struct Run {
    wall: Duration,
    cpu: Duration,
    peak_rss_kib: i64,
    stdout: String,
}

fn measure(cmd: &mut Command) -> Result<Run> {
    let start = Instant::now();
    let child = cmd
        .stdout(std::process::Stdio::piped())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .with_context(|| format!("cannot start {cmd:?}"))?;
    let pid = child.id() as libc::pid_t;
    let mut status = 0;
    // SAFETY: rusage is plain data, fully written by wait4 on success.
    let mut usage: libc::rusage = unsafe { std::mem::zeroed() };
    let output = {
        use std::io::Read;
        let mut child = child;
        let mut out = String::new();
        let mut err = String::new();
        if let Some(mut s) = child.stdout.take() {
            s.read_to_string(&mut out)?;
        }
        if let Some(mut s) = child.stderr.take() {
            s.read_to_string(&mut err)?;
        }
        // SAFETY: waits for our own child, which has not been reaped yet.
        let r = unsafe { libc::wait4(pid, &mut status, 0, &mut usage) };
        if r != pid {
            bail!("wait4 failed for {cmd:?}");
        }
        (out, err)
    };
    let wall = start.elapsed();
    if !(libc::WIFEXITED(status) && libc::WEXITSTATUS(status) == 0) {
        bail!("{cmd:?} failed:\n{}{}", output.0, output.1);
    }
    let tv = |t: libc::timeval| Duration::new(t.tv_sec as u64, (t.tv_usec as u32) * 1000);
    Ok(Run {
        wall,
        cpu: tv(usage.ru_utime) + tv(usage.ru_stime),
        peak_rss_kib: usage.ru_maxrss,
        stdout: output.0,
    })
}

/// The platform every synthetic service belongs to.
const PLATFORM: &str = r#"[platform]
name = "synthetic"
namespace = "synthetic"
domain = "bench.example.com"
repository = "https://git.example.com/synthetic.git"
owner = "bench"

[images]
registry = "registry.example.com/synthetic"
tag = "1.0.0"
pull_policy = "IfNotPresent"

[[categories]]
name = "data"
wave = 1
component = "database"
description = "state"

[[categories]]
name = "services"
wave = 2
component = "backend"
description = "services"

[[categories]]
name = "frontend"
wave = 3
component = "frontend"
description = "front ends"

[[priority_classes]]
name = "high"
value = 1000
description = "state"

[[priority_classes]]
name = "normal"
value = 100
global_default = true
description = "the rest"

[service_account]
name = "synthetic"

[defaults]
replicas = 1
revision_history_limit = 3
min_ready_seconds = 10
grace_period_seconds = 30
priority_class = "normal"

[defaults.security]
run_as_user = 65534
run_as_group = 65534
fs_group = 65534

[defaults.probes.readiness]
initial_delay_seconds = 5
period_seconds = 10
timeout_seconds = 3
failure_threshold = 3

[defaults.probes.liveness]
initial_delay_seconds = 15
period_seconds = 20
timeout_seconds = 5
failure_threshold = 3

[defaults.probes.startup]
period_seconds = 10
timeout_seconds = 3
failure_threshold = 30

[secrets]
backend = "external-secrets"
store = "vault"
store_kind = "ClusterSecretStore"
prefix = "SYN_"
refresh_interval = "1h"

[storage]
class = "standard"
provisioner = "csi.example.com"
reclaim_policy = "Retain"
volume_binding_mode = "WaitForFirstConsumer"

[gateway]
name = "public"
namespace = "gateway"

[gitops]
engines = ["argocd"]
path = "output"
revision = "main"

[[clusters]]
name = "main"
server = "https://kubernetes.default.svc"

[[environments]]
name = "dev"
namespace = "synthetic-dev"
domain = "dev.bench.example.com"
image_tag = "dev"

[[environments]]
name = "staging"
namespace = "synthetic-staging"
domain = "staging.bench.example.com"
image_tag = "staging"

[[environments]]
name = "production"
namespace = "synthetic"
domain = "bench.example.com"
image_tag = "production"
"#;

/// Service `i` of `n`: a tenth are stateful, a tenth front ends, the rest
/// services; each has three ports, secrets, config, and depends on up to
/// three services of its own or an earlier wave.
fn service(i: usize, n: usize, marker: &str) -> String {
    let tier = match i % 10 {
        0 => "data",
        9 => "frontend",
        _ => "services",
    };
    let mut s = String::new();
    let _ = writeln!(s, "description = \"synthetic service {i} ({marker})\"");
    let _ = writeln!(s, "category = \"{tier}\"");
    if tier == "data" {
        let _ = writeln!(s, "kind = \"StatefulSet\"\npriority_class = \"high\"");
    }
    let _ = writeln!(s, "image = \"svc-{i:05}\"");
    let _ = writeln!(s, "replicas = {}", if tier == "frontend" { 2 } else { 1 });
    let _ = writeln!(s, "secrets = [\"API_KEY\", \"DB_PASSWORD\", \"TOKEN_{i}\"]");
    s.push_str("\n[[ports]]\nname = \"grpc\"\nport = 50051\n\n[[ports]]\nname = \"http\"\nport = 8080\n\n[[ports]]\nname = \"http-metrics\"\nport = 9090\n");
    s.push_str("\n[health]\ngrpc = { port = \"grpc\" }\nliveness = { http = { port = \"http\", path = \"/livez\" } }\n");
    s.push_str("\n[resources]\ncpu = { request = \"100m\", limit = \"500m\" }\nmemory = { request = \"128Mi\", limit = \"256Mi\" }\n");
    let _ = writeln!(
        s,
        "\n[env]\nLOG_LEVEL = \"info\"\nSERVICE_INDEX = \"{i}\"\nMARKER = \"{marker}\""
    );
    if tier == "data" {
        s.push_str("\n[[volumes]]\nname = \"data\"\nmount = \"/data\"\nsize = \"10Gi\"\n");
    }
    if tier == "frontend" {
        let _ = writeln!(s, "\n[[routes]]\nhost = \"app{i}\"\nport = \"http\"");
    }
    // Dependencies on services of an earlier index and a lower or equal wave.
    let wave = |j: usize| match j % 10 {
        0 => 1,
        9 => 3,
        _ => 2,
    };
    let mut deps = 0;
    for step in [1, 7, 31] {
        if i >= step && deps < 3 {
            let j = i - step;
            if wave(j) <= wave(i) && j < n {
                let _ = writeln!(
                    s,
                    "\n[[depends_on]]\nservice = \"svc-{j:05}\"\nport = \"grpc\"\nenv = \"SVC_{j}_ADDR\""
                );
                deps += 1;
            }
        }
    }
    s
}

fn write_platform(dir: &Path, n: usize) -> Result<()> {
    let _ = fs::remove_dir_all(dir);
    fs::create_dir_all(dir.join("services"))?;
    fs::write(dir.join("platform.toml"), PLATFORM)?;
    for i in 0..n {
        fs::write(
            dir.join(format!("services/svc-{i:05}.toml")),
            service(i, n, "a"),
        )?;
    }
    Ok(())
}

fn tree_size(dir: &Path) -> (usize, u64) {
    let mut files = 0;
    let mut bytes = 0;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in fs::read_dir(&d).into_iter().flatten().flatten() {
            let m = e.metadata().ok();
            if m.as_ref().is_some_and(|m| m.is_dir()) {
                stack.push(e.path());
            } else {
                files += 1;
                bytes += m.map_or(0, |m| m.len());
            }
        }
    }
    (files, bytes)
}

fn ms(d: Duration) -> String {
    format!("{:.1} ms", d.as_secs_f64() * 1000.0)
}

pub fn run(args: &[String]) -> Result<()> {
    let mut sizes = vec![20, 200, 2000];
    let mut dir: Option<PathBuf> = None;
    let mut keep = false;
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--keep" {
            keep = true;
        } else if a == "--sizes" {
            let v = it
                .next()
                .context("--sizes needs a list such as 20,200,2000")?;
            sizes = v
                .split(',')
                .map(|x| x.trim().parse::<usize>())
                .collect::<Result<_, _>>()
                .context("--sizes takes numbers separated by commas")?;
        } else {
            dir = Some(PathBuf::from(a));
        }
    }
    let dir = match dir {
        Some(d) => d,
        None => std::env::temp_dir().join("platformc-bench"),
    };
    fs::create_dir_all(&dir)?;
    let root = super::workspace_root();

    eprintln!("building the release binary…");
    let status = Command::new(env!("CARGO"))
        .args(["build", "--release", "--quiet", "--package", "platformc"])
        .current_dir(&root)
        .status()?;
    if !status.success() {
        bail!("cargo build --release failed");
    }
    let bin = root.join("target/release/platformc");

    println!("platformc bench into {}", dir.display());
    println!(
        "{:>6} {:>10} {:>10} {:>9} {:>7} {:>10} {:>10} {:>6} {:>14}",
        "svcs", "wall", "cpu", "peak MiB", "files", "MiB", "cp -r", "ratio", "1 edit writes"
    );
    for &n in &sizes {
        let src = dir.join(format!("src-{n}"));
        let out = dir.join(format!("out-{n}"));
        let copy = dir.join(format!("cp-{n}"));
        write_platform(&src, n)?;
        let _ = fs::remove_dir_all(&out);
        let _ = fs::remove_dir_all(&copy);
        let render = || {
            measure(
                Command::new(&bin)
                    .arg("--root")
                    .arg(&src)
                    .arg("--out")
                    .arg(&out)
                    .arg("render"),
            )
        };
        let first = render()?;
        let (files, bytes) = tree_size(&out);
        let cp = measure(Command::new("cp").arg("-r").arg(&out).arg(&copy))?;
        let _ = fs::remove_dir_all(&copy);

        // Edit one service and render again: only its files may be written.
        let k = n / 2;
        fs::write(
            src.join(format!("services/svc-{k:05}.toml")),
            service(k, n, "b"),
        )?;
        let again = render()?;
        let written = again
            .stdout
            .lines()
            .filter(|l| l.trim_start().starts_with("wrote "))
            .count();

        println!(
            "{:>6} {:>10} {:>10} {:>9.1} {:>7} {:>10.1} {:>10} {:>6.2} {:>14}",
            n,
            ms(first.wall),
            ms(first.cpu),
            first.peak_rss_kib as f64 / 1024.0,
            files,
            bytes as f64 / (1024.0 * 1024.0),
            ms(cp.wall),
            first.wall.as_secs_f64() / cp.wall.as_secs_f64().max(1e-9),
            written,
        );
        if !keep {
            let _ = fs::remove_dir_all(&src);
            let _ = fs::remove_dir_all(&out);
        }
    }

    // Orbit itself, process start included: the median of 11 renders.
    let out = dir.join("out-orbit");
    let _ = fs::remove_dir_all(&out);
    let mut walls = Vec::new();
    for _ in 0..11 {
        let r = measure(
            Command::new(&bin)
                .arg("--root")
                .arg(&root)
                .arg("--out")
                .arg(&out)
                .arg("render"),
        )?;
        walls.push(r.wall);
        let _ = fs::remove_dir_all(&out);
    }
    walls.sort();
    println!(
        "orbit: median render {} (process start included, 11 runs)",
        ms(walls[walls.len() / 2])
    );
    Ok(())
}
