#!/usr/bin/env python3
"""The peer mnpipe is measured against: PyTorch + torchvision on the same machine, as a user would run it.

Three cases, each timed the way `pipeline bench compare` times the Java side:
  train  torchvision's mobilenet_v2 / mobilenet_v3_small / mobilenet_v3_large in eager mode, SGD
         momentum 0.9, cross-entropy with label smoothing 0.1, on a fixed set of random batches;
  eval   the same models' forward pass in eval mode under torch.no_grad();
  data   ImageFolder + RandomResizedCrop + RandomHorizontalFlip + ToTensor through a DataLoader.

It serves rounds so that the caller can alternate them with its own: after setting up and warming up
it prints one JSON line {"ready": ...}; then each line "round" on stdin runs one timed round and prints
{"images": n, "seconds": s, "images_per_s": r}; end of input ends it. `--rounds N` instead runs N rounds
by itself and prints one JSON object with all of them (for running it alone).
"""

import argparse
import json
import os
import sys
import time


def parse_args(argv):
    p = argparse.ArgumentParser(prog="peer.py", description=__doc__,
                                formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = p.add_subparsers(dest="case", required=True)

    def common(s):
        s.add_argument("--threads", type=int, default=os.cpu_count(),
                       help="torch.set_num_threads (default: the machine's cores)")
        s.add_argument("--rounds", type=int, default=0,
                       help="run this many rounds alone and print them; 0 (default): serve rounds on stdin")

    for name, what in (("train", "SGD steps"), ("eval", "forward passes in eval mode")):
        s = sub.add_parser(name, help="time " + what + " of a torchvision MobileNet")
        s.add_argument("--model", default="mobilenet_v2",
                       choices=["mobilenet_v2", "mobilenet_v3_small", "mobilenet_v3_large"])
        s.add_argument("--size", type=int, default=224, help="input side in pixels (default 224)")
        s.add_argument("--batch", type=int, default=32, help="samples per step (default 32)")
        s.add_argument("--steps", type=int, default=10, help="steps per round (default 10)")
        s.add_argument("--warmup-steps", type=int, default=3, help="untimed steps first (default 3)")
        s.add_argument("--classes", type=int, default=1000, help="classifier outputs (default 1000)")
        s.add_argument("--lr", type=float, default=0.01)
        s.add_argument("--wd", type=float, default=4e-5)
        common(s)

    s = sub.add_parser("data", help="time ImageFolder + DataLoader with the train transforms over a tree")
    s.add_argument("--root", required=True, help="an ImageFolder tree: ROOT/<class>/<image>")
    s.add_argument("--size", type=int, default=224, help="RandomResizedCrop size (default 224)")
    s.add_argument("--batch", type=int, default=64, help="DataLoader batch (default 64)")
    s.add_argument("--workers", type=int, default=os.cpu_count(),
                   help="DataLoader worker processes (default: the machine's cores)")
    common(s)
    return p.parse_args(argv)


def build_model(args):
    import torch
    import torchvision
    model = getattr(torchvision.models, args.model)(num_classes=args.classes)
    params = sum(p.numel() for p in model.parameters())
    torch.manual_seed(0)
    # A fixed set of batches, made before timing, as the Java side holds its batches in memory.
    batches = [(torch.randn(args.batch, 3, args.size, args.size),
                torch.randint(0, args.classes, (args.batch,))) for _ in range(min(args.steps, 8))]
    return model, params, batches


def train_case(args):
    import torch
    model, params, batches = build_model(args)
    model.train()
    loss_fn = torch.nn.CrossEntropyLoss(label_smoothing=0.1)
    opt = torch.optim.SGD(model.parameters(), lr=args.lr, momentum=0.9, weight_decay=args.wd)

    def step(i):
        x, y = batches[i % len(batches)]
        opt.zero_grad(set_to_none=True)
        loss = loss_fn(model(x), y)
        loss.backward()
        opt.step()
        return loss.item()  # waits for the step, as the Java side reads its loss

    def one_round():
        t0 = time.perf_counter()
        for i in range(args.steps):
            step(i)
        return args.steps * args.batch, time.perf_counter() - t0

    for i in range(args.warmup_steps):
        step(i)
    return {"model": args.model, "params": params, "size": args.size, "batch": args.batch}, one_round


def eval_case(args):
    import torch
    model, params, batches = build_model(args)
    model.eval()

    def one_round():
        t0 = time.perf_counter()
        with torch.no_grad():
            for i in range(args.steps):
                model(batches[i % len(batches)][0]).argmax(1).tolist()
        return args.steps * args.batch, time.perf_counter() - t0

    with torch.no_grad():
        for i in range(args.warmup_steps):
            model(batches[i % len(batches)][0])
    return {"model": args.model, "params": params, "size": args.size, "batch": args.batch}, one_round


def data_case(args):
    import torch
    import torchvision.transforms as T
    from torchvision.datasets import ImageFolder
    train = T.Compose([T.RandomResizedCrop(args.size), T.RandomHorizontalFlip(), T.ToTensor()])
    dataset = ImageFolder(args.root, transform=train)
    # persistent_workers: the workers start once, in the warm-up epoch, not in every timed round.
    loader = torch.utils.data.DataLoader(dataset, batch_size=args.batch, shuffle=True, num_workers=args.workers,
                                         persistent_workers=args.workers > 0)

    def one_round():
        # From the first batch to the last, as mnpipe's side is timed from its first written sample to
        # its last: neither side's start-up counts.
        t0 = None
        n = 0
        for x, _ in loader:
            if t0 is None:
                t0 = time.perf_counter()
            else:
                n += x.shape[0]
        return n, time.perf_counter() - t0

    one_round()  # warm-up epoch: worker start-up, the page cache
    return {"images": len(dataset), "size": args.size, "batch": args.batch, "workers": args.workers}, one_round


def main(argv):
    args = parse_args(argv)
    import torch
    import torchvision
    torch.set_num_threads(args.threads)
    setup = {"train": train_case, "eval": eval_case, "data": data_case}[args.case]
    info, one_round = setup(args)
    info.update({"case": args.case, "torch": torch.__version__, "torchvision": torchvision.__version__,
                 "threads": torch.get_num_threads()})

    def result(images, seconds):
        return {"images": images, "seconds": round(seconds, 4), "images_per_s": round(images / seconds, 2)}

    if args.rounds > 0:
        info["rounds"] = [result(*one_round()) for _ in range(args.rounds)]
        print(json.dumps(info))
        return 0
    print(json.dumps({"ready": info}), flush=True)
    for line in sys.stdin:
        if line.strip() != "round":
            print(json.dumps({"error": "expected 'round', got " + repr(line.strip())}), flush=True)
            return 2
        print(json.dumps(result(*one_round())), flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
