#!/usr/bin/env python3
"""The peer for chipaudit's measurement: what PyTorch reaches on the same GPU,
the same work, timed the same way (CUDA events, warm-up first).

  BF16 matmul: torch.matmul of two 8192 x 8192 bf16 matrices of random
  values, TFLOP/s = 2 N^3 / time (chipaudit: the same product through
  cuBLASLt, src/measure/gemm.c).
  Device copy: dst.copy_(src) of a 2 GiB uint8 tensor of random bytes,
  GB/s = (bytes read + bytes written) / time (chipaudit: cuMemcpyDtoDAsync
  of 2 GiB, src/measure/bandwidth.c).

Each figure is timed two ways and both are printed: the mean of 10 after 3
warm-ups (as the device machine's notes measured it), and a loop as long as
chipaudit's quick budget (0.25 s). Usage: torch_reference.py [--device N]
Prints one JSON object. Needs PyTorch with CUDA; run by
scripts/device-check-measure."""
import argparse
import json
import sys
import time


def timed(torch, fn, iterations):
    start = torch.cuda.Event(enable_timing=True)
    stop = torch.cuda.Event(enable_timing=True)
    start.record()
    for _ in range(iterations):
        fn()
    stop.record()
    stop.synchronize()
    return start.elapsed_time(stop) / 1000.0 / iterations


def two_ways(torch, fn, budget_s=0.25):
    for _ in range(3):
        fn()
    torch.cuda.synchronize()
    ten = timed(torch, fn, 10)
    iterations = max(3, int(budget_s / ten))
    loop = timed(torch, fn, iterations)
    return ten, loop, iterations


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--device", type=int, default=0)
    parser.add_argument("--n", type=int, default=8192)
    parser.add_argument("--copy-bytes", type=int, default=2 << 30)
    args = parser.parse_args()
    try:
        import torch
    except ImportError as e:
        print(json.dumps({"error": "PyTorch not importable: %s" % e}))
        return 1
    if not torch.cuda.is_available():
        print(json.dumps({"error": "torch.cuda is not available"}))
        return 1
    t0 = time.monotonic()
    torch.cuda.set_device(args.device)
    dev = torch.device("cuda", args.device)
    props = torch.cuda.get_device_properties(dev)
    n = args.n
    a = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    b = torch.randn(n, n, device=dev, dtype=torch.bfloat16)
    c = torch.empty(n, n, device=dev, dtype=torch.bfloat16)
    ten, loop, iters = two_ways(torch, lambda: torch.matmul(a, b, out=c))
    flops = 2.0 * n * n * n
    bf16 = {"mean_of_10_tflops": flops / ten / 1e12, "loop_tflops": flops / loop / 1e12, "loop_iterations": iters,
            "n": n}
    del a, b, c
    src = torch.randint(0, 256, (args.copy_bytes,), device=dev, dtype=torch.uint8)
    dst = torch.empty_like(src)
    ten, loop, iters = two_ways(torch, lambda: dst.copy_(src))
    moved = 2.0 * args.copy_bytes
    copy = {"mean_of_10_gbs": moved / ten / 1e9, "loop_gbs": moved / loop / 1e9, "loop_iterations": iters,
            "bytes": args.copy_bytes, "convention": "bytes read + bytes written"}
    print(json.dumps({
        "device": props.name, "sm_count": props.multi_processor_count,
        "torch": torch.__version__, "cuda": torch.version.cuda,
        "bf16_matmul": bf16, "device_copy": copy, "duration_s": time.monotonic() - t0,
    }, indent=2))
    return 0


if __name__ == "__main__":
    sys.exit(main())
