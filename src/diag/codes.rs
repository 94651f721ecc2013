//! The table of diagnostic codes: a title and an explanation for each, in
//! the style of `rustc --explain`. `platformc explain <CODE>` prints them;
//! a test keeps the table and the codes the compiler emits equal. The lint
//! codes (E0201…) are explained from the lint table itself.

use crate::model::policy::LINTS;

/// One code: what it is about, and how to fix it.
#[derive(Debug, Clone, Copy)]
pub struct Code {
    pub id: &'static str,
    pub title: &'static str,
    pub explanation: &'static str,
}

/// Every code but the lints', in order.
pub const CODES: &[Code] = &[
    Code {
        id: "E0001",
        title: "a source file is not valid TOML (or a secret file not valid YAML)",
        explanation: "The parser stopped at the position shown. Common causes: a missing quote or bracket, a key written twice, a table header repeated.\n\n    image = \"api      # the string is not closed\n\nFix the syntax at the position shown; the file's other errors are reported once it parses.",
    },
    Code {
        id: "E0002",
        title: "a source file or directory cannot be read",
        explanation: "platformc reads platform.toml and services/ under the platform root, as UTF-8 text. The file is missing, unreadable, or not UTF-8 (the position of the first bad byte is shown).\n\nRun platformc from the platform's root (or pass --root), check the file's permissions, or save it as UTF-8.",
    },
    Code {
        id: "E0003",
        title: "a field the model does not know",
        explanation: "Every table of the sources accepts a fixed set of fields, so a misspelt one is an error rather than silently ignored.\n\n    secret = [\"API_KEY\"]      # the field is `secrets`\n\nFix the spelling (the help suggests the closest field), or move the key: in TOML, keys written after a [table] header belong to that table, so top-level fields of a service must come before its first table.",
    },
    Code {
        id: "E0004",
        title: "a required field is missing",
        explanation: "The table shown needs the field named in the message.\n\n    description = \"an API\"\n    category = \"apps\"\n    # image = \"api\" is missing\n\nAdd the field. README.md and docs/reference.md list every field and whether it is required.",
    },
    Code {
        id: "E0005",
        title: "a field has a value of the wrong type",
        explanation: "The field expects another type of value: a string where a number was written, a table where a string was written.\n\n    [[depends_on]]\n    service = \"postgresql\"\n    port = 5432               # a port is named: port = \"postgresql\"\n\nGive the field a value of the expected type.",
    },
    Code {
        id: "E0006",
        title: "a value outside the field's fixed set",
        explanation: "The field accepts only the listed words.\n\n    kind = \"Daemonset\"       # DaemonSet\n\nUse one of the listed values, with the same case.",
    },
    Code {
        id: "E0007",
        title: "a value the field does not accept",
        explanation: "The field takes one of a fixed set of values (an image pull policy, a protocol, a storage reclaim policy…).\n\n    pull_policy = \"Sometimes\"\n\nUse one of the values the help lists.",
    },
    Code {
        id: "E0010",
        title: "a name Kubernetes would refuse",
        explanation: "Names of namespaces, categories, priority classes, config file sets and domains become Kubernetes names or DNS labels: lower-case letters, digits and `-`, starting and ending with an alphanumeric, at most 63 characters.\n\n    namespace = \"Orbit_Prod\"  # orbit-prod\n\nRename it.",
    },
    Code {
        id: "E0011",
        title: "a name declared twice",
        explanation: "Categories, priority classes, volumes and config file sets each need a unique name: the generated objects and files are named after them.\n\nGive each a unique name.",
    },
    Code {
        id: "E0012",
        title: "a category out of wave order, or with a reserved name",
        explanation: "Categories are listed in wave order, from wave 1 (wave 0 is the platform base), and each becomes a directory of the output tree, so it cannot take a name the tree uses itself (base, overlays, argocd, flux).\n\nReorder the categories or rename the one shown.",
    },
    Code {
        id: "E0013",
        title: "a cluster-wide default priority class",
        explanation: "The API server accepts at most one PriorityClass with globalDefault: true per cluster, so a platform's default is refused on a cluster that already has one (another platform's, or the cluster admin's), and the whole cluster base fails to apply. Every workload platformc renders names its class (`[defaults] priority_class`, or the service's `priority_class`), so a default would only change the pods of others.\n\nRemove `global_default`.",
    },
    Code {
        id: "E0014",
        title: "not an IPv4 range",
        explanation: "Address ranges are written as an address and a prefix length.\n\n    private_ranges = [\"10.0.0.0\"]   # 10.0.0.0/8\n\nAdd the prefix length.",
    },
    Code {
        id: "E0020",
        title: "an entry of services/ or secrets/ that is not a source file",
        explanation: "Every entry of services/ is a service file (<name>.toml) and every entry of secrets/ a secret file (<service>.sealedsecret.yaml or <service>.sops.yaml); nothing there is skipped silently. Subdirectories, symbolic links, other extensions (or the right one in capitals) and names that are not UTF-8 are refused. Hidden entries (a name starting with `.`) are ignored.\n\nMove the entry, rename it, or replace the link with the file.",
    },
    Code {
        id: "E0021",
        title: "a character Kubernetes tooling cannot carry",
        explanation: "kustomize's YAML writer refuses DEL, the C1 control characters and the Unicode non-characters, and rewrites U+2028 and U+2029 as line breaks; YAML 1.1 readers (kubectl apply, checkov) read U+0085 as one. Such a character, and any control character other than tab and line feed, would reach the cluster changed or not at all, so it is refused where it is written.\n\n    GREETING = \"hello\\u2028world\"\n\nRemove the character.",
    },
    Code {
        id: "E0022",
        title: "a count larger than Kubernetes stores",
        explanation: "Replicas, revision history limits, minimum ready seconds and autoscaling bounds are 32-bit integers in Kubernetes (at most 2147483647); a larger value is refused by the API server.\n\nUse a realistic count.",
    },
    Code {
        id: "E0100",
        title: "an invalid service name",
        explanation: "A service's name (its `name` field, or its file's stem) names its objects: `<name>`, `<name>-config`, `<name>-secrets`. It must be a DNS label of at most 52 characters, leaving room for the suffixes.\n\nRename the service or its file.",
    },
    Code {
        id: "E0101",
        title: "two services with one name",
        explanation: "Two files define a service of the same name (one through its `name` field, or both through their file names).\n\nRename one of them.",
    },
    Code {
        id: "E0102",
        title: "an unknown category",
        explanation: "A service's category must be one of the [[categories]] of platform.toml: it sets the service's wave, directory and component label.\n\nUse one of the listed categories, or declare a new one in platform.toml.",
    },
    Code {
        id: "E0103",
        title: "an unknown priority class",
        explanation: "A priority class named by a service or by `defaults.priority_class` must be one of the [[priority_classes]] of platform.toml.\n\nUse one of the listed classes.",
    },
    Code {
        id: "E0104",
        title: "an invalid port",
        explanation: "Ports are named (an IANA service name: at most 15 lower-case letters, digits and `-`, with a letter), numbered from 1 to 65535, each name and number once per service.\n\n    [[ports]]\n    name = \"HTTP\"            # http\n    port = 80800             # out of range\n\nFix the name or the number.",
    },
    Code {
        id: "E0105",
        title: "not a Kubernetes quantity",
        explanation: "Resources and sizes are Kubernetes quantities: cpu as `250m` or `1`, memory and storage as `256Mi` or `10Gi`, positive.\n\n    memory = { request = \"256MB\", limit = \"1Gi\" }   # 256Mi\n\nWrite a valid quantity.",
    },
    Code {
        id: "E0106",
        title: "a request above its limit",
        explanation: "Kubernetes refuses a container whose request exceeds its limit.\n\nLower the request or raise the limit.",
    },
    Code {
        id: "E0107",
        title: "a dependency on an unknown service (or on itself)",
        explanation: "Every [[depends_on]] names another service under services/: the edge becomes network policy on both sides, an address in the ConfigMap and an ordering in Argo CD and Flux.\n\nName an existing service (the help suggests the closest), or add its file.",
    },
    Code {
        id: "E0108",
        title: "a dependency on a port the target does not have",
        explanation: "A dependency names one of the target service's ports, by name.\n\n    [[depends_on]]\n    service = \"redis\"\n    port = \"resp\"           # redis declares its port as `redis`\n\nUse one of the target's port names.",
    },
    Code {
        id: "E0109",
        title: "a dependency on a service of a later wave",
        explanation: "Services start wave by wave (their category's wave); a service cannot depend on one that starts after it, or the first sync waits forever.\n\nMove the dependency to an earlier category, or the dependent service to a later one.",
    },
    Code {
        id: "E0110",
        title: "a reference to a port the service does not declare",
        explanation: "A health check or a route names one of the service's own ports, by name.\n\n    [health]\n    http = { port = \"web\", path = \"/healthz\" }   # the port is named `http`\n\nUse one of the service's port names.",
    },
    Code {
        id: "E0111",
        title: "a health check that is not one check, or checks nothing",
        explanation: "[health] (and `liveness`) name exactly one of http, grpc, exec or tcp; an exec check must fail when the service does not work (`true` or `ls /tmp` check nothing).\n\nKeep exactly one real check.",
    },
    Code {
        id: "E0112",
        title: "an invalid route",
        explanation: "A route's host is the labels left of the platform's domain (empty for the domain itself), its path an absolute prefix, and the platform must declare where routes enter the cluster ([edge]).\n\nFix the host or path, or declare the edge.",
    },
    Code {
        id: "E0114",
        title: "an exception that names no lint, excuses nothing, or gives no reason",
        explanation: "An [[exceptions]] entry names a lint the service really breaks and says why in a sentence: the reason is written into the rendered objects. An exception that excuses nothing is an error, so exceptions stay true.\n\nName one of the lints, remove the exception, or write the reason.",
    },
    Code {
        id: "E0115",
        title: "secrets without a usable store",
        explanation: "A service that declares secrets needs platform.toml's [secrets]; the external-secrets backend needs its store, store kind and refresh interval (and only it does); a pull secret needs the external-secrets backend; a secret key is listed once and a source names a declared key.\n\nComplete [secrets], or fix the service's keys.",
    },
    Code {
        id: "E0116",
        title: "replicas on a DaemonSet",
        explanation: "A DaemonSet runs one pod per node: it has no replica count.\n\nRemove `replicas`.",
    },
    Code {
        id: "E0117",
        title: "a volume that cannot be provisioned as declared",
        explanation: "Volumes are claims on the platform's [storage] class, which must exist; a DaemonSet's pods on every node share one claim, so it must be ReadWriteMany or ReadOnlyMany.\n\nDeclare [storage], or set the access mode.",
    },
    Code {
        id: "E0118",
        title: "an invalid or unpinned image",
        explanation: "A third-party image is written `registry/repository:tag` or with a digest, so a render always names the same image; a bare name is one of the platform's own images.\n\n    image = \"mongo\"          # mongo:7\n\nPin a tag or a digest.",
    },
    Code {
        id: "E0119",
        title: "an environment variable set in two places",
        explanation: "A service's variables come from `env`, its secret keys, its dependencies' and routes' `env` fields; each name may be set in one place only.\n\nKeep one.",
    },
    Code {
        id: "E0120",
        title: "an invalid environment variable name",
        explanation: "Keys of `env`, secret keys and the `env` of dependencies and routes become environment variables: letters, digits, `_`, `-` and `.`, not starting with a digit.\n\nRename the variable.",
    },
    Code {
        id: "E0122",
        title: "a sealed or SOPS secret file that does not match its service",
        explanation: "With the sealed-secrets or sops backend, each service with secrets has secrets/<service>.sealedsecret.yaml or secrets/<service>.sops.yaml: a SealedSecret or a SOPS-encrypted Secret named <service>-secrets, in the service's namespace, holding exactly its declared keys, every value encrypted. A file that belongs to no service is an error too.\n\nSeal or encrypt the file again as the help shows.",
    },
    Code {
        id: "E0123",
        title: "an invalid scanner exception",
        explanation: "A [[scanner_exceptions]] entry names the scanner's check id (CKV_K8S_43), the services it covers (or \"*\") and why, in a sentence without `=`.\n\nFix the id, the services or the reason.",
    },
    Code {
        id: "E0130",
        title: "an invalid environment",
        explanation: "An environment has a unique DNS-label name and a valid domain, names known clusters and services, overrides known services, and does not share a namespace (as its mapping names it) with another environment on a cluster.\n\nFix the field shown.",
    },
    Code {
        id: "E0131",
        title: "a service without exactly one cluster",
        explanation: "Clusters have unique names and name known categories; environments need a cluster, and every service an environment runs lands on exactly one of its clusters (by the clusters' categories).\n\nGive each category to exactly one of the environment's clusters.",
    },
    Code {
        id: "E0132",
        title: "an unknown GitOps engine",
        explanation: "[gitops] engines names `argocd`, `flux` or both, once each.\n\nFix the list.",
    },
    Code {
        id: "E0133",
        title: "autoscaling that cannot work",
        explanation: "[autoscaling] scales between 1 ≤ min ≤ max replicas on a cpu or memory target (a percentage of the request); the HPA owns the replica count, so a service (or an environment) does not set replicas beside it; a DaemonSet cannot be autoscaled.\n\nFix the range or remove the conflicting field.",
    },
    Code {
        id: "E0140",
        title: "an environment's namespace mapping names an unknown namespace or makes an invalid name",
        explanation: "An environment renames the platform's namespaces with `namespace_prefix`, `namespace_suffix` and `namespace_names` (a table from base namespace to its name here). `namespace_names` keys are namespaces the platform uses (the platform's, a category's or a service's), and every name the mapping makes must be a valid namespace name (a DNS label of at most 63 characters).\n\n    [[environments]]\n    name = \"staging\"\n    namespace_suffix = \"-staging\"\n    namespace_names = { orbit = \"orbit-stg\" }\n\nName one of the platform's namespaces, or shorten the prefix and suffix.",
    },
    Code {
        id: "E0141",
        title: "two namespaces get the same name in an environment",
        explanation: "An environment's mapping (prefix, suffix, `namespace_names`) gives each base namespace its name there; two base namespaces mapped to one name would merge their services, quotas and network policies.\n\n    namespace_names = { data = \"orbit\" }    # orbit already keeps its name\n\nGive each namespace its own name in the environment.",
    },
    Code {
        id: "E0142",
        title: "an environment excludes a service another service it runs depends on",
        explanation: "A service's `[[depends_on]]` becomes its connection settings and its network policy; excluding the dependency from an environment while running the dependent service leaves it pointing at nothing.\n\nStop excluding the dependency, or exclude the dependent service too.",
    },
    Code {
        id: "E0143",
        title: "an invalid certificate issuer",
        explanation: "[[issuers]] declares the cert-manager issuers: a unique name, `kind` ClusterIssuer (default) or Issuer, and exactly one of `acme` (server, email and one solver: `http01`, served through the edge, or `dns01` with `cloudflare` or `route53` and the zones it answers for), `self_signed = true`, or `ca` (the secret holding the CA).\n\n    [[issuers]]\n    name = \"letsencrypt\"\n    [issuers.acme]\n    server = \"https://acme-v02.api.letsencrypt.org/directory\"\n    email = \"ops@example.com\"\n    dns01 = { cloudflare = { token_secret = \"cloudflare-api-token\", token_key = \"api-token\" } }\n\nFix the field shown.",
    },
    Code {
        id: "E0144",
        title: "an unknown certificate issuer",
        explanation: "[tls] issuer and an environment's `issuer` name one of the platform's [[issuers]].\n\nDeclare the issuer, or fix its name.",
    },
    Code {
        id: "E0145",
        title: "a host served through an existing Gateway its certificates do not cover",
        explanation: "With an existing Gateway ([edge.gateway] namespace, section, covers), platformc does not render its certificates; `covers` lists the names its HTTPS listener's certificates hold. Every host a route publishes (in the base and each environment) must be one of them, or under a wildcard of its parent (a wildcard covers exactly one label).\n\n    covers = [\"*.example.com\"]     # covers api.example.com, not v2.api.example.com\n\nAdd the name to `covers` once the Gateway holds it, or let platformc render the Gateway (`class`).",
    },
    Code {
        id: "E0146",
        title: "an unusable wildcard certificate",
        explanation: "[tls] wildcards are written relative to the domain: `*` is *.<domain>, `*.api` is *.api.<domain>. A wildcard is issued only where it covers a host the platform serves, and only by a DNS-01 issuer (ACME refuses wildcards over HTTP-01).\n\nFix the wildcard, remove it, or issue it with a DNS-01 issuer.",
    },
    Code {
        id: "E0147",
        title: "invalid edge settings",
        explanation: "[edge] names how traffic enters the cluster: `kind` gateway (Gateway API), nginx (ingress-nginx) or traefik; the namespace and labels of the proxy's pods (so network policies admit it). Kind gateway takes an [edge.gateway] table with either `class` (platformc renders one Gateway per environment) or `namespace`, `section` and `covers` (an existing Gateway); kinds nginx and traefik take the IngressClass in `class` and no [edge.gateway].\n\n    [edge]\n    kind = \"gateway\"\n    proxy_namespace = \"envoy-gateway-system\"\n    [edge.gateway]\n    name = \"platform\"\n    class = \"envoy-gateway\"\n\nFix the field shown.",
    },
    Code {
        id: "E0148",
        title: "an invalid or unknown route policy",
        explanation: "[edge.policies.<name>] declares what a route carries: https_redirect, hsts, security_headers, cors (origins, methods, headers), rate_limit (rps, burst, connections) and auth (the oauth2-proxy service). A route's `policy`, the edge's default `policy` and an environment's [environments.policies.<name>] name declared policies; CORS origins are a scheme and host or `*`; a rate is positive and a burst at least the rate (a multiple of it for ingress-nginx); HSTS and HTTPS redirects need [tls].\n\nFix the policy, or declare it.",
    },
    Code {
        id: "E0149",
        title: "a route policy the edge or route cannot carry",
        explanation: "Gateway API has no rate limit its implementations share, so a Gateway edge refuses `rate_limit` (set it in the implementation's own policy, such as Envoy Gateway's BackendTrafficPolicy). A gRPC route (GRPCRoute) carries no CORS and no authentication.\n\nDrop the setting, or give the route another policy.",
    },
    Code {
        id: "E0150",
        title: "a host and path published twice",
        explanation: "Across services, each host and path is published by one route, in the base and in each environment (after its host renames and route replacements); two would make the edge pick one arbitrarily.\n\nChange the host or path of one of them.",
    },
    Code {
        id: "E0151",
        title: "a route to a metrics port",
        explanation: "Metrics ports (`metrics = true`, or a name ending in `metrics`) are scraped from inside the cluster and never published.\n\nRoute the service's API port.",
    },
    Code {
        id: "E0152",
        title: "a gRPC route that cannot be expressed",
        explanation: "A route to a gRPC port (`grpc = true`, or a port named `grpc` or `grpc-*`) matches the whole host (`/`) or one gRPC service (`/<package.Service>`). With the Traefik edge a Kubernetes Service speaks one protocol, so a service cannot route both gRPC and HTTP ports.\n\n    path = \"/orbit.v1.BuildService\"\n\nFix the path, or publish the gRPC port from a service of its own.",
    },
    Code {
        id: "E0153",
        title: "an auth proxy that cannot protect the route",
        explanation: "A policy's `auth` names the oauth2-proxy service that authenticates its routes: a service of the platform, with a port named `http`, in the namespace of the services it protects. Through a Gateway the proxy is the route's backend and forwards to the protected service by path, so two protected routes behind one proxy need distinct paths.\n\nFix the proxy's name, port or namespace, or give the routes distinct paths.",
    },
    Code {
        id: "E0154",
        title: "an invalid egress",
        explanation: "A service's [[egress]] names exactly one destination: `cidrs` (address ranges), `namespace` (with `pods` labels or a `service`) or `external` (one of platform.toml's [[externals]]), its ports and protocol (TCP, UDP, SCTP). An `env` key receives the destination's address, so the destination needs a name (a `service`, or an external's `host`).\n\n    [[egress]]\n    external = \"s3\"\n    env = \"S3_ENDPOINT\"\n\nFix the field shown.",
    },
    Code {
        id: "E0155",
        title: "an egress to an unknown external",
        explanation: "[[egress]] external names one of platform.toml's [[externals]].\n\nDeclare the external, or fix its name.",
    },
    Code {
        id: "E0156",
        title: "an invalid external",
        explanation: "[[externals]] declares a destination outside the cluster: a unique name, a description, its `cidrs` (the network policy admits these addresses) and `ports`, a protocol, and optionally the DNS `host` services reach it by.\n\n    [[externals]]\n    name = \"s3\"\n    description = \"object storage of the backups\"\n    host = \"s3.eu-west-1.amazonaws.com\"\n    cidrs = [\"52.218.0.0/17\"]\n    ports = [443]\n\nFix the field shown.",
    },
    Code {
        id: "E0157",
        title: "invalid namespace quota or limit settings",
        explanation: "[namespaces.<ns>] (and an environment's [environments.namespaces.<ns>]) names a namespace of the platform and gives its `quota` (requests, limits, pods, claims, storage, services, or a headroom percentage to derive what is not stated) and `limits` (a LimitRange: default, default_request, min, max, or a headroom). A quota or limit range that states nothing renders nothing.\n\n    [namespaces.orbit]\n    quota = { requests = { cpu = \"8\", memory = \"16Gi\" }, pods = 50, headroom = 10 }\n\nFix the field shown.",
    },
    Code {
        id: "E0158",
        title: "a namespace quota its services exceed",
        explanation: "platformc adds up what the services of a namespace can need at once: each at its replicas (or autoscaling maximum), plus one surge pod per Deployment, a DaemonSet on every node of its cluster, and Jobs and CronJobs once each; requests, limits, pods, claims and storage. A quota below that would stop a rollout or a scale-up halfway.\n\nRaise the bound (or set a headroom and let platformc derive it), or lower the services' replicas, maxima or resources.",
    },
    Code {
        id: "E0159",
        title: "a limit range that contradicts itself or the services",
        explanation: "A LimitRange's bounds are ordered, min ≤ default_request ≤ default ≤ max, and every container of the namespace requests at least its min and limits at most its max, or the API server refuses its pods.\n\nOrder the bounds, or change the service's resources.",
    },
    Code {
        id: "E0160",
        title: "a DaemonSet whose quota cannot be checked",
        explanation: "A DaemonSet runs a pod on every node, so its namespace's quota depends on the node count of its cluster, which [[clusters]] states in `nodes`.\n\n    [[clusters]]\n    name = \"talos\"\n    nodes = 3\n\nState the cluster's schedulable nodes.",
    },
    Code {
        id: "E0161",
        title: "an invalid environment override",
        explanation: "[environments.overrides.<service>] changes what differs in an environment: replicas, autoscaling, cpu, memory, volume sizes (of the service's own volumes), priority class (a declared one), env values (valid names no dependency, egress or route writes, no secrets), host renames (of hosts the service publishes), replacement routes, probe timings and the disruption budget.\n\nFix the field shown.",
    },
    Code {
        id: "E0162",
        title: "an override that renders nothing",
        explanation: "An override that sets what the service already has, or overrides a service the environment excludes, changes no manifest and would mislead its reader.\n\nRemove the override, or the exclusion.",
    },
    Code {
        id: "E0163",
        title: "a disruption budget that is not one bound, or blocks every drain",
        explanation: "`pdb = { min_available = … }` or `{ max_unavailable = … }` sets exactly one bound (a count or a percentage), and allows at least one pod to be disrupted at the replicas it runs with; otherwise node drains never finish.\n\n    pdb = { max_unavailable = 1 }\n\nKeep one bound, and require fewer pods than the workload runs.",
    },
    Code {
        id: "E0164",
        title: "a disruption budget that renders nothing",
        explanation: "A PodDisruptionBudget is rendered for a workload of more than one replica; a service (or an environment) that runs a single replica keeps none.\n\nRemove `pdb`, or run more replicas.",
    },
    Code {
        id: "E0165",
        title: "an autoscaling override on a DaemonSet",
        explanation: "A DaemonSet runs one pod per node, so an environment cannot autoscale it.\n\nRemove `autoscaling` from the override.",
    },
    Code {
        id: "E0166",
        title: "one host of a service under two route policies",
        explanation: "A policy applies per host (ingress-nginx annotations and Traefik middlewares attach to an Ingress, a Gateway's filters to its route), so the routes of a service on one host carry the same policy.\n\nGive them the same `policy`, or put them on different hosts.",
    },
    Code {
        id: "E0167",
        title: "a sealed secret an environment's namespace cannot unseal",
        explanation: "By default kubeseal binds a SealedSecret to its name and namespace. An environment that renames the service's namespace (namespace_prefix, namespace_suffix, namespace_names) deploys the same sealed file into another namespace, where the controller refuses to unseal it.\n\nSeal the secret cluster-wide (`kubeseal --scope cluster-wide`, which the file's annotation `sealedsecrets.bitnami.com/cluster-wide: \"true\"` records), or keep the namespace's name in that environment.",
    },
    Code {
        id: "E0170",
        title: "Job or CronJob settings that do not fit the kind",
        explanation: "[job] belongs to a service of kind `Job` (runs once) or `CronJob` (runs on a schedule). A CronJob needs a schedule; a Job has none of a CronJob's settings (schedule, time zone, concurrency, history, starting deadline); a run's deadline is at least one second.\n\n    kind = \"CronJob\"\n    [job]\n    schedule = \"0 3 * * *\"\n\nMove the settings to the right kind, or add what is missing.",
    },
    Code {
        id: "E0171",
        title: "a schedule or time zone Kubernetes refuses",
        explanation: "A CronJob's schedule has five fields, as the CronJob controller reads them: minute (0-59), hour (0-23), day of month (1-31), month (1-12 or JAN-DEC), day of week (0-6 or SUN-SAT), each `*`, a value, a range `a-b` or a list, with an optional `/step`; or @hourly, @daily, @weekly, @monthly, @yearly. `L`, `W`, `#`, a seconds field, day of week 7 and `TZ=` are refused. The time zone is an IANA name (`Europe/Paris`), never `Local`.\n\n    schedule = \"0 3 * * 0\"      # Sundays at 03:00, not `* * 7`\n\nFix the schedule or the zone.",
    },
    Code {
        id: "E0172",
        title: "a Job or CronJob with what only a serving workload has",
        explanation: "A Job or CronJob runs to completion: it serves no port, is never ready, and runs one pod per run. Ports (and routes), health checks, replicas, a disruption budget, autoscaling and a Service type belong to Deployments, StatefulSets and DaemonSets.\n\nRemove the field, or make the service a Deployment.",
    },
    Code {
        id: "E0173",
        title: "a dependency on a Job or CronJob that cannot hold",
        explanation: "A dependency on a Job (without a port) orders the two: the Job completes first. It has no address, so no port, `env` or `scheme`; and it is in an earlier wave, since Argo CD moves on to the next wave once a Job has completed. A CronJob runs on its schedule: nothing can wait for it.\n\n    [[depends_on]]\n    service = \"migrate\"       # a Job of an earlier wave\n\nRemove the port, move the Job to an earlier category, or drop the dependency on a CronJob.",
    },
    Code {
        id: "E0174",
        title: "a release name that is invalid or taken",
        explanation: "A release is named after its file (or `name`): lower-case letters, digits and `-`, at most 53 characters (Helm's limit), unlike every service and release, not `platform` and not starting with an environment's name and `-` (the GitOps objects are named after it beside those).\n\nRename the release.",
    },
    Code {
        id: "E0175",
        title: "a release's namespace, chart, repository or pods are invalid",
        explanation: "A release is installed in a namespace of its own, never one of the platform's (they deny all traffic its chart does not declare); its chart is named as its repository lists it; its repository is https://… (a chart index) or oci://registry/path; its pods, when declared, are selected by labels; its timeout is at least a second.\n\nFix the field shown.",
    },
    Code {
        id: "E0176",
        title: "a chart version that is not exact",
        explanation: "A release pins its chart's exact version (`65.1.0`, `v1.16.2`), so a render always means the same chart: a range, a wildcard or `latest` installs whatever is newest on the day.\n\nWrite the version the chart was tested at.",
    },
    Code {
        id: "E0177",
        title: "a values file that is missing or holds no mapping",
        explanation: "`values_files` names files beside the release, in releases/, named `<name>.values.yaml`, each holding one YAML mapping of the chart's values.\n\n    values_files = [\"kube-prometheus-stack.values.yaml\"]\n\nCreate the file, fix its name, or fix its YAML.",
    },
    Code {
        id: "E0178",
        title: "a provided API group that is not one",
        explanation: "`provides` names the API groups whose CRDs the chart installs, as they appear in apiVersion (`monitoring.coreos.com`, `volsync.backube`): what uses them is applied after the release, and the rendered README names the release as what installs them.\n\nWrite the group.",
    },
    Code {
        id: "E0179",
        title: "a release dependency that is unknown or circular",
        explanation: "A release depends on other releases of releases/, installed before it, without a cycle (a release never waits for itself).\n\nFix the name or break the cycle.",
    },
    Code {
        id: "E0180",
        title: "a release nothing would install",
        explanation: "A release is installed by a GitOps engine (Argo CD through an Application with a Helm source, Flux through a HelmRelease), on the clusters that run its category. Without [gitops], or on a category no cluster runs, it would never be installed.\n\nAdd [gitops] engines, or give the category to a cluster.",
    },
    Code {
        id: "E0181",
        title: "metrics or alerts that nothing would scrape or evaluate",
        explanation: "A service's [metrics] settings apply to its metrics ports (`metrics = true`, or a port named *metrics), and its [metrics] and [[alerts]] need the platform's [monitoring] (the engine, and the namespace of the rules).\n\n    [[ports]]\n    name = \"http-metrics\"\n    port = 9090\n\nDeclare the metrics port, or add [monitoring] to platform.toml.",
    },
    Code {
        id: "E0182",
        title: "a metrics or alert setting that is not valid",
        explanation: "Durations are written as Prometheus reads them (`30s`, `5m`, `1h30m`); a metrics path starts with `/`; an alert name has letters, digits and `_`, once per service; an alert has an expression; its severity is critical, warning or info.\n\nFix the value shown.",
    },
    Code {
        id: "E0310",
        title: "services that depend on each other",
        explanation: "A dependency orders deployment: Argo CD syncs a service's wave once the earlier ones are Healthy, and Flux applies a Kustomization once those it `dependsOn` are Ready. Services that depend on each other, directly or through others, would each wait for the other, and none would start.\n\nRemove one of the dependencies of the cycle: a service that only calls back the one that calls it needs no `depends_on` on it (its network policy still admits its caller).",
    },
    Code {
        id: "E0311",
        title: "a cluster server that is not an API server URL",
        explanation: "`server` of a `[[clusters]]` entry is the URL Argo CD knows the cluster by (its cluster secrets hold it): `https://` and a host name or address, with an optional port.\n\n    server = \"https://kubernetes.default.svc\"   # the cluster Argo CD runs in\n    server = \"https://10.0.0.10:6443\"",
    },
    Code {
        id: "E0312",
        title: "a priority class the API server refuses",
        explanation: "The API server keeps priorities above 1000000000 and names starting with `system-` for the system's own classes (system-cluster-critical, system-node-critical), and refuses them on any other PriorityClass.\n\nUse a value of at most 1000000000 and a name of the platform's own.",
    },
    Code {
        id: "E0313",
        title: "a probe timing the API server refuses",
        explanation: "A probe's period, timeout and failure threshold are at least 1 second or attempt, its initial delay at least 0: the API server refuses a Pod template with less, so the workload would never be created.\n\nUse a value of at least 1 (0 for an initial delay).",
    },
    Code {
        id: "E0314",
        title: "a user or group id that is not one",
        explanation: "runAsUser, runAsGroup and fsGroup are ids from 0 to 2147483647; the API server refuses a negative one.\n\nUse the id of the image's user (65534 is nobody).",
    },
    Code {
        id: "E0315",
        title: "a ConfigMap over 1 MiB",
        explanation: "The API server refuses a ConfigMap whose data adds up to more than 1 MiB. A service's `env` becomes its ConfigMap, and each `[[config_files]]` set one of its own.\n\nKeep large data out of configuration: bake it into the image, or serve it from storage.",
    },
    Code {
        id: "E0316",
        title: "a storage setting that is not one line",
        explanation: "Each mount option of `[storage]` is handed to the CSI driver as one option, verbatim: a line break or surrounding spaces would make an option the driver rejects, and every volume of the class would fail to mount.\n\nWrite each option as its own string: mount_options = [\"nfsvers=4.1\", \"noatime\"].",
    },
    Code {
        id: "E0317",
        title: "a category component outside the allowed set",
        explanation: "A category's `component` becomes the `app.kubernetes.io/component` label of its services: a label value (at most 63 letters, digits, `-`, `_` and `.`), and one of `[platform] components` when the platform lists them.\n\n    [platform]\n    components = [\"backend\", \"frontend\", \"database\", \"infrastructure\", \"monitoring\"]",
    },
    Code {
        id: "E0323",
        title: "a namespace that is a GitOps engine's own",
        explanation: "An Application that deploys into Argo CD's namespace can create Applications of any project, which Argo CD's documentation calls admin-equivalent; Flux's namespace holds its controllers and their credentials. No namespace of the platform (a service's, a category's, a release's, the alert rules', or an environment's name for one) may be the namespace of an engine it deploys with. platformc's own projects allow only Applications there, for the environments' App-of-Apps.\n\nUse another namespace.",
    },
    Code {
        id: "E0324",
        title: "two environments that would read the same secrets",
        explanation: "Each environment's pods must read that environment's credentials: a dev pod holding production's database password is a breach waiting for a dev bug. With external-secrets, no two environments may read the same store with the same prefix; with sealed-secrets or sops, no two environments may read the same file.\n\n    [[environments]]\n    name = \"dev\"\n    secrets = { store = \"doppler-orbit-dev\" }   # or prefix = \"ORBIT_DEV_\"\n\nWith sealed-secrets or sops, an environment's own file is secrets/<service>.<env>.sealedsecret.yaml (or .sops.yaml), sealed or encrypted for the namespace the service runs in there; the environments without one read secrets/<service>.sealedsecret.yaml, and at most one may.",
    },
    Code {
        id: "E0325",
        title: "an environment running an image at a tag that moves",
        explanation: "Promoting by re-tagging (`latest`, `staging`, `production`, an environment's name) changes no manifest: Argo CD and Flux see nothing to apply, nothing rolls out, and with imagePullPolicy IfNotPresent a node keeps the image it pulled before. Every tag an environment runs one of the platform's own images at must be immutable, pushed once by CI (`sha-1a2b3c4`, `1.4.2`), and promotion is bumping it in git:\n\n    image_tag = \"sha-1a2b3c4\"        # services/api.toml: the build CI last pushed\n\n    [[environments]]\n    name = \"production\"\n    image_tag = \"1.4.2\"              # every own image here\n    [environments.overrides.api]\n    image_tag = \"sha-9f8e7d6\"        # or one service\n\nA tag is at most 128 letters, digits, `_`, `.` and `-`, not starting with `.` or `-`.",
    },
    Code {
        id: "E0326",
        title: "a cluster two engines would manage",
        explanation: "Argo CD and Flux each apply what git holds and prune what they applied before: on one cluster, each undoes the other, and a switch from one to the other deletes the workloads. With `engines = [\"argocd\", \"flux\"]`, every cluster names the one that manages it, and each engine gets the objects of its clusters only:\n\n    [[clusters]]\n    name = \"apps\"\n    server = \"https://kubernetes.default.svc\"\n    engine = \"flux\"",
    },
    Code {
        id: "E0320",
        title: "two sources would give the GitOps engines the same object",
        explanation: "Every Argo CD Application lives in Argo CD's namespace and every Flux Kustomization in Flux's, each named after what it deploys (`<platform>-<env>-<service>`, `<platform>-<env>-base`, `<platform>-<env>` for an environment, `<platform>-root`…) and written to a file named the same way. A service named `base` would take its environment's base Application file; an environment named `root` would make the ApplicationSet re-point the root Application, whose prune then deletes the AppProject and the ApplicationSet. The names come from the output layout, so every such collision is found, not a list of reserved words.\n\nRename the service (its file or `name`), the environment or the release the message points at.",
    },
    Code {
        id: "E0321",
        title: "GitOps engines without environments",
        explanation: "Argo CD's ApplicationSet makes one Application per environment directory, and Flux one Kustomization per service and environment: both deploy the environments' overlays, never the base alone. With no `[[environments]]`, only the cluster-scoped base would be applied.\n\nDeclare at least one environment:\n\n    [[environments]]\n    name = \"production\"\n    domain = \"example.com\"",
    },
    Code {
        id: "E0322",
        title: "SOPS-encrypted secrets with Argo CD",
        explanation: "Flux's kustomize-controller decrypts SOPS files (`spec.decryption`); Argo CD has no such step and would apply the Secret with its encrypted values.\n\nDeploy with Flux alone (`engines = [\"flux\"]`), or use a backend Argo CD can deliver: `sealed-secrets` (the controller unseals in the cluster) or `external-secrets`.",
    },
];

/// The title and explanation of `id` (case-insensitive), lints included.
pub fn explain(id: &str) -> Option<(String, String)> {
    let id = id.to_ascii_uppercase();
    if let Some(c) = CODES.iter().find(|c| c.id == id) {
        return Some((c.title.to_string(), c.explanation.to_string()));
    }
    let l = LINTS.iter().find(|l| l.code == id)?;
    Some((
        format!("lint `{}`: {}", l.name, l.rule),
        format!(
            "Seed 000's hardening plan (§9.4) requires that {}. platformc writes every manifest to follow it, so only a service's own field can break it (`{}`).\n\nTo follow the rule: {}.\n\nIf the service cannot, state an exception with the reason, which is written into its objects (and into a Kyverno PolicyException when the platform enforces policies):\n\n    [[exceptions]]\n    rule = \"{}\"\n    reason = \"why this service cannot follow the rule\"",
            l.rule, l.field, l.fix, l.name
        ),
    ))
}

/// Every code the compiler may emit.
pub fn all() -> impl Iterator<Item = &'static str> {
    CODES
        .iter()
        .map(|c| c.id)
        .chain(LINTS.iter().map(|l| l.code))
}
