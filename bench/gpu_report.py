"""Merges java-results.json and torch-results.json of the device check into report.md and
report.json, with each target of the CUDA backend issue judged on the numbers of the same run."""
import json
import os
import sys

out = sys.argv[1]


def load(name):
    path = os.path.join(out, name)
    return json.load(open(path)) if os.path.exists(path) else None


java, torch = load("java-results.json"), load("torch-results.json")
lines = ["# Isthmus device check", ""]
summary = {"java": java, "torch": torch, "targets": {}}
if java is None:
    lines.append("The Java benchmarks produced no results (see java-bench.txt).")
else:
    lines += [f"Backend: {java['backend']}", ""]
    if torch:
        lines += [f"PyTorch {torch['torch']} (CUDA {torch['cuda']}) on {torch['device']}", ""]
    bw = java["bandwidth"]
    ratio = bw["relu_GBps"] / bw["copy_GBps"]
    add_ratio = bw["add_GBps"] / bw["copy_GBps"]
    summary["targets"]["elementwise (relu and add) >= 0.9 x copy"] = ratio >= 0.9 and add_ratio >= 0.9
    lines += ["## Elementwise bandwidth (1 GiB per input; bytes read + written)", "",
              "| op | Isthmus GB/s | PyTorch GB/s |", "|---|---|---|"]
    for k in ("copy_GBps", "relu_GBps", "scale_GBps", "add_GBps"):
        tb = (torch or {}).get("bandwidth", {}).get(k)
        lines.append(f"| {k[:-5]} | {bw[k]:.0f} | {tb:.0f} |" if tb is not None else f"| {k[:-5]} | {bw[k]:.0f} | - |")
    lines += ["", f"relu / copy {ratio:.2f}, add / copy {add_ratio:.2f} (Isthmus, same run; target >= 0.90)", "",
              "## GEMM (square, TFLOP/s)", "", "| size | precision | Isthmus | torch.matmul | ratio |", "|---|---|---|---|---|"]
    worst = None
    for row in java["gemm"]:
        t = next((r for r in (torch or {}).get("gemm", []) if r["size"] == row["size"] and r["precision"] == row["precision"]), None)
        ratio_g = row["tflops"] / t["tflops"] if t else None
        if ratio_g is not None and row["size"] >= 4096:
            worst = ratio_g if worst is None else min(worst, ratio_g)
        lines.append(f"| {row['size']} | {row['precision']} | {row['tflops']:.1f} | "
                     f"{t['tflops']:.1f} | {ratio_g:.2f} |" if t else f"| {row['size']} | {row['precision']} | {row['tflops']:.1f} | - | - |")
    summary["targets"]["gemm >= 0.95 x torch (4096, 8192)"] = worst is not None and worst >= 0.95
    d = java["dispatch_us_per_tiny_op"]
    summary["targets"]["dispatch <= 5 us"] = d <= 5.0
    lines += ["", "## Dispatch of a tiny op (allocate, launch, free; 10,000-op chains)", "",
              f"Isthmus {d:.2f} us per op" + (f", PyTorch eager {torch['dispatch_us_per_tiny_op']:.2f} us" if torch else "")
              + " (target <= 5 us)", "", "## One training step (ms; Isthmus eager and with Fit.cudaGraphs(true))", "",
              "| sample | Isthmus eager | host reads / step | Isthmus CUDA graphs | PyTorch eager | eager no slower? "
              "| graphs >= 1.5x PyTorch eager? |", "|---|---|---|---|---|---|---|"]
    reads = java.get("host_reads_per_step", {})
    graphs = java.get("training_step_graph_ms", {})
    for name, ms in java["training_step_ms"].items():
        t = (torch or {}).get("training_step_ms", {}).get(name)
        ok = t is not None and ms <= t
        summary["targets"][f"{name} step no slower than PyTorch eager"] = ok
        r = reads.get(name)
        rs = f"{r:.2f}" if r is not None else "-"
        g = graphs.get(name)
        gs = f"{g:.3f}" if g is not None else "failed"
        fast = g is not None and t is not None and t / g >= 1.5
        summary["targets"][f"{name} step with CUDA graphs >= 1.5 x faster than PyTorch eager"] = fast
        lines.append(f"| {name} | {ms:.3f} | {rs} | {gs} | {t:.3f} | {'yes' if ok else 'no'} | {'yes' if fast else 'no'} |"
                     if t is not None else f"| {name} | {ms:.3f} | {rs} | {gs} | - | - | - |")
lines += ["", "## Targets", ""] + [f"- {k}: {'met' if v else 'NOT met'}" for k, v in summary["targets"].items()]
open(os.path.join(out, "report.md"), "w").write("\n".join(lines) + "\n")
json.dump(summary, open(os.path.join(out, "report.json"), "w"), indent=2)
print("\n".join(lines))
