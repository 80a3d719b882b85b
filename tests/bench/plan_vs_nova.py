#!/usr/bin/python3
"""plan_vs_nova.py - hvtune's planner against OpenStack Nova's NUMA fitter.

    plan_vs_nova.py PLAN_BENCH PROFILES_DIR [SEEDS [FIXTURES_DIR]]

For each host (generated: 2, 4 and 8 NUMA nodes, SMT 2; and each real
capture in FIXTURES_DIR/hosts the probe can read) and each seeded stream,
both planners get:
  - the same host: plan_bench --describe prints the nodes as the planner sees
    them (housekeeping cores left out, as Nova's cpu_dedicated_set would
    leave them, SMT siblings, and the 1 GiB pages each node can give under
    the profile's capacity rule: free pages + (MemTotal - reserved hugepages
    - host_reserved_memory_mib) / 1 GiB);
  - the same stream: mixed sizes, odd vCPU counts included, 1 to 4 GiB of
    1 GiB pages per vCPU (on a capture without 1 GiB pages: its largest
    hugepage size), dedicated CPUs, about 1.5 times the usable pCPUs;
  - the same rules: one pCPU per vCPU, memory within the pages, one NUMA
    node when the VM fits one (hw:numa_nodes=1), else the fewest nodes
    (hw:numa_nodes=k with the vCPUs and pages split evenly).
hvtune plans the stream as one batch (plan_bench).  Nova fits it in arrival
order with numa_fit_instance_to_host() and numa_usage_from_instance_numa()
after each fit, as nova-compute's resource tracker does.  Printed per host
and stream: VMs placed, cores carrying vCPUs of two VMs (cross-VM SMT
sharing), and the time per VM.
"""
import glob
import json
import logging
import os
import random
import shutil
import subprocess
import sys
import tempfile
import time

logging.disable(logging.CRITICAL)

from nova import objects  # noqa: E402
from nova.objects import fields  # noqa: E402
from nova.virt import hardware  # noqa: E402

objects.register_all()

# NODES:CORES:THREADS:MEM_GIB:FREE_1G[:numbering[:L3 per node]]
HOSTS = [
    ("2 nodes x 16c x 2t", "2:16:2:96:0:split:1"),
    ("4 nodes x 12c x 2t", "4:12:2:64:0:split:1"),
    ("8 nodes x 8c x 2t", "8:8:2:48:0:adjacent:2"),
]
# (hvtune profile, Nova cpu_thread_policy)
PAIRS = [
    ("high-pps", "require"),
    ("high-pps", "isolate"),
    ("balanced", "prefer"),
]


def page_size(desc):
    """1 GiB when every node with CPUs offers it, else the largest size up to
    1 GiB that they all offer (the stream asks for it), else None."""
    nodes = [n for n in desc["nodes"] if n["pcpus"]]
    common = None
    for n in nodes:
        sizes = {int(k) for k, v in n["pages"].items() if v > 0}
        common = sizes if common is None else common & sizes
    fits = [k for k in (common or set()) if k <= 1048576 and 1048576 % k == 0]
    return max(fits) if fits else None


def pages(node, size):
    return node["pages"].get(str(size), 0)


def stream(seed, usable, page_kib, load=1.5):
    rng = random.Random(seed)
    sizes = [1, 2, 2, 3, 4, 4, 4, 5, 6, 8, 8, 10, 12, 16]
    vms, asked = [], 0
    while asked < usable * load:
        vcpus = rng.choice(sizes)
        mem_gib = vcpus * rng.choice([1, 2, 2, 4])
        vms.append({"name": "vm%d" % len(vms), "vcpus": vcpus,
                    "memory_mib": mem_gib * 1024, "hugepage_kib": page_kib})
        asked += vcpus
    return vms


def run(cmd):
    return subprocess.run(cmd, check=True, capture_output=True, text=True).stdout


def nova_host(desc, policy, size):
    cells = []
    for node in desc["nodes"]:
        pcpus = set(node["pcpus"])
        cells.append(objects.NUMACell(
            id=node["id"],
            # isolate works only with the legacy vcpu_pin_set setup, where
            # cpuset == pcpuset (Nova bug #1889633 refuses it otherwise)
            cpuset=set(pcpus) if policy == "isolate" else set(),
            pcpuset=pcpus, memory=pages(node, size) * size // 1024, cpu_usage=0,
            memory_usage=0, pinned_cpus=set(),
            siblings=[set(s) for s in node["siblings"]],
            mempages=[objects.NUMAPagesTopology(size_kb=size,
                                                total=pages(node, size),
                                                used=0, reserved=0)],
            network_metadata=objects.NetworkMetadata(physnets=set(),
                                                     tunneled=False),
            socket=0))
    return objects.NUMATopology(cells=cells)


def nova_instance(vm, policy, desc):
    """One guest cell if the VM fits a node of the empty host, else the
    fewest cells, vCPUs and pages split as evenly as they go."""
    threads = max(len(s) for s in desc["nodes"][0]["siblings"])
    per_node_cpus = max(len(n["pcpus"]) for n in desc["nodes"])
    if policy == "isolate":
        per_node_cpus //= threads
    size = vm["hugepage_kib"]
    per_node_gib = max(pages(n, size) * size // 1048576 for n in desc["nodes"])
    gib = vm["memory_mib"] // 1024
    k = 1
    while k <= len(desc["nodes"]) and (vm["vcpus"] > k * per_node_cpus or
                                       gib > k * per_node_gib):
        k += 1
    k = min(k, len(desc["nodes"]), vm["vcpus"])
    cells, first = [], 0
    for c in range(k):
        n = vm["vcpus"] // k + (1 if c < vm["vcpus"] % k else 0)
        g = gib // k + (1 if c < gib % k else 0)
        cells.append(objects.InstanceNUMACell(
            id=c, cpuset=set(), pcpuset=set(range(first, first + n)),
            memory=g * 1024, pagesize=size,
            cpu_policy=fields.CPUAllocationPolicy.DEDICATED,
            cpu_thread_policy=policy))
        first += n
    return objects.InstanceNUMATopology(cells=cells)


def nova_fit(desc, vms, policy):
    host = nova_host(desc, policy, vms[0]["hugepage_kib"])
    core_of = {}
    for node in desc["nodes"]:
        for k, sib in enumerate(node["siblings"]):
            for cpu in sib:
                core_of[cpu] = (node["id"], k)
    owners, placed = {}, 0
    t0 = time.perf_counter()
    for i, vm in enumerate(vms):
        fitted = hardware.numa_fit_instance_to_host(
            host, nova_instance(vm, policy, desc))
        if fitted is None:
            continue
        host = hardware.numa_usage_from_instance_numa(host, fitted)
        placed += 1
        for cell in fitted.cells:
            for pcpu in cell.cpu_pinning.values():
                owners.setdefault(core_of[pcpu], set()).add(i)
    us = (time.perf_counter() - t0) * 1e6 / max(len(vms), 1)
    shared = sum(1 for s in owners.values() if len(s) > 1)
    return {"placed": placed, "smt_shared": shared, "us_per_vm": us}


def captures(fixtures, tmp):
    """(label, plan_bench host arguments) of each capture, unpacked in tmp."""
    out = []
    for tarball in sorted(glob.glob(os.path.join(fixtures, "hosts", "*.tar.xz"))):
        name = os.path.basename(tarball)[:-len(".tar.xz")]
        subprocess.run(["tar", "-xJf", tarball, "-C", tmp], check=True)
        out.append((name[:20], ["--root", os.path.join(tmp, name)]))
    return out


def main():
    bench, profiles = sys.argv[1], sys.argv[2]
    seeds = range(1, int(sys.argv[3]) + 1) if len(sys.argv) > 3 else range(1, 6)
    fixtures = sys.argv[4] if len(sys.argv) > 4 else ""
    tmp = tempfile.mkdtemp(prefix="plan-vs-nova.")
    hosts = [(label, ["--host", spec]) for label, spec in HOSTS]
    if fixtures and os.path.isdir(os.path.join(fixtures, "hosts")):
        hosts += captures(fixtures, tmp)
    else:
        print("no captures: fixtures directory '%s' is absent" % fixtures)
    rows, fewer, more = [], 0, 0
    print("%-20s %-9s %-7s %4s | %-15s %-15s | %-13s | %-14s %s" % (
        "host", "hvtune", "nova", "seed", "placed hv/nova", "SMT-shared",
        "us/VM hv/nova", "speed-up", "VMs"))
    skipped = []
    for label, hostargs in hosts:
        for prof, policy in PAIRS:
            conf = os.path.join(profiles, prof + ".conf")
            try:
                desc = json.loads(run([bench] + hostargs + ["--profile", conf,
                                                            "--describe"]))
            except subprocess.CalledProcessError as err:
                skipped.append("%s: %s" % (label, err.stderr.strip()))
                break
            usable = sum(len(n["pcpus"]) for n in desc["nodes"])
            size = page_size(desc)
            if usable == 0 or size is None:
                skipped.append("%s: no usable pCPUs, or no hugepage size that every "
                               "node can give (memory or pools unknown)" % label)
                break
            for seed in seeds:
                vms = stream(seed * 1000 + len(desc["nodes"]), usable, size)
                path = os.path.join(tmp, "requests.json")
                with open(path, "w") as f:
                    json.dump({"vms": vms}, f)
                hv = json.loads(run([bench] + hostargs + ["--profile", conf,
                                                          "--requests", path,
                                                          "--repeat", "5"]))
                nv = nova_fit(desc, vms, policy)
                fewer += hv["placed"] < nv["placed"]
                more += hv["placed"] > nv["placed"]
                rows.append((label, prof, policy, hv, nv))
                print("%-20s %-9s %-7s %4d | %6d / %-6d | %6d / %-6d | %5.1f / %-6.0f | %7.0fx %5d"
                      % (label, prof, policy, seed, hv["placed"], nv["placed"],
                         hv["smt_shared"], nv["smt_shared"], hv["us_per_vm"],
                         nv["us_per_vm"], nv["us_per_vm"] / hv["us_per_vm"],
                         len(vms)), flush=True)
    shutil.rmtree(tmp)
    print()
    print("per host, summed over %d streams:" % len(seeds))
    print("%-20s %-9s %-7s | %-15s %-15s | %-13s | %s" % (
        "host", "hvtune", "nova", "placed hv/nova", "SMT-shared", "us/VM hv/nova",
        "speed-up"))
    groups = {}
    for r in rows:
        groups.setdefault(r[:3], []).append(r)
    for key, rs in groups.items():
        hp = sum(r[3]["placed"] for r in rs)
        np_ = sum(r[4]["placed"] for r in rs)
        hs = sum(r[3]["smt_shared"] for r in rs)
        ns = sum(r[4]["smt_shared"] for r in rs)
        hu = sum(r[3]["us_per_vm"] for r in rs) / len(rs)
        nu = sum(r[4]["us_per_vm"] for r in rs) / len(rs)
        print("%-20s %-9s %-7s | %6d / %-6d | %6d / %-6d | %5.1f / %-6.0f | %7.0fx"
              % (key[0], key[1], key[2], hp, np_, hs, ns, hu, nu, nu / hu))
    hv_total = sum(r[3]["placed"] for r in rows)
    nv_total = sum(r[4]["placed"] for r in rows)
    hv_us = sum(r[3]["us_per_vm"] for r in rows) / len(rows)
    nv_us = sum(r[4]["us_per_vm"] for r in rows) / len(rows)
    pps_shared = sum(r[3]["smt_shared"] for r in rows if r[1] == "high-pps")
    print()
    print("streams: %d; hvtune placed more on %d, fewer on %d; VMs placed: hvtune %d, "
          "nova %d (%.2fx)" % (len(rows), more, fewer, hv_total, nv_total,
                               hv_total / max(nv_total, 1)))
    print("cross-VM SMT sharing under high-pps: hvtune %d cores; time per VM: hvtune "
          "%.1f us, nova %.0f us (%.0fx)" % (pps_shared, hv_us, nv_us, nv_us / hv_us))
    for s in skipped:
        print("skipped %s" % s)


if __name__ == "__main__":
    main()
