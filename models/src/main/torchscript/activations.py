#!/usr/bin/env python3
"""Writes the TorchScript activations the trainer loads (FusedActivations): relu6, hardswish and
hardsigmoid, one module each, whose forward is libtorch's own fused op. DJL binds no hardtanh,
hardswish or hardsigmoid, and composing them from ops it does bind costs 3-5x more memory passes,
forward and backward. The .pt files are committed; rerun this only to change them:

    /usr/bin/python3 models/src/main/torchscript/activations.py   (needs python3-torch)
"""
import os

import torch
import torch.nn.functional as F

OUT = os.path.join(os.path.dirname(__file__), "..", "resources", "io", "mnpipe", "models")


class Relu6(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.relu6(x)


class HardSwish(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.hardswish(x)


class HardSigmoid(torch.nn.Module):
    def forward(self, x: torch.Tensor) -> torch.Tensor:
        return F.hardsigmoid(x)


if __name__ == "__main__":
    for name, module in (("relu6", Relu6()), ("hardswish", HardSwish()), ("hardsigmoid", HardSigmoid())):
        path = os.path.join(OUT, name + ".pt")
        torch.jit.script(module).save(path)
        print(path, os.path.getsize(path), "bytes")
