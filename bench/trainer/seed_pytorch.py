#!/usr/bin/python3
"""The original's `seed` network in PyTorch's Python API: the peer that
cratedig's trainer is measured against (bench/trainer/run.sh).

Reads DIR/tiles.u8 (n x 256 x 256 grey bytes, written by trainer_bench from
the same PNG tiles; Debian's python3-torch has no PNG decoder, so the Python
side gets its tiles already decoded, which favours it) and prints
"name value" lines in tiles/s. Run it with /usr/bin/python3 (Debian's
python3-torch) and MALLOC_MMAP_THRESHOLD_/MALLOC_TRIM_THRESHOLD_ set, or it
runs ~8x slower than it can.

  seed_pytorch.py DIR THREADS BATCH [--tuned]
Without --tuned: the network as one writes it from the paper (conv -> ELU
-> pool, default NCHW tensors). --tuned applies cratedig's three
formulation choices, which change no result: ELU after max-pooling (ELU is
monotonic), channels-last (NHWC) weights and inputs, and each kernel-2
stride-2 convolution computed as a 1x1 convolution over the space-to-depth
rearrangement of its input (trainer/model.cc). With all three the Python
peer runs the same kernels as cratedig, so the py-tuned column shows how
much of cratedig's lead is formulation and how much is C++.
"""
import sys
import time

import numpy as np
import torch
import torch.nn as nn
import torch.nn.functional as F


class SeedNet(nn.Module):
    def __init__(self, classes=9, pool_first=False):
        super().__init__()
        self.pool_first = pool_first
        chans = [1, 64, 128, 256, 512]
        self.convs = nn.ModuleList(
            nn.Conv2d(chans[i], chans[i + 1], 2, stride=2) for i in range(4))
        self.fc1 = nn.Linear(512, 128)
        self.fc2 = nn.Linear(128, classes)
        for m in list(self.convs) + [self.fc1, self.fc2]:
            nn.init.xavier_normal_(m.weight)
            nn.init.zeros_(m.bias)

    @staticmethod
    def space_to_depth_conv(conv, x):
        n, c, h, w = x.shape
        h, w = h // 2, w // 2
        if x.shape[2] != 2 * h:
            x = x[:, :, :2 * h]
        if x.shape[3] != 2 * w:
            x = x[:, :, :, :2 * w]
        patches = (x.permute(0, 2, 3, 1).reshape(n, h, 2, w, 2, c)
                   .permute(0, 1, 3, 2, 4, 5).reshape(n, h, w, 4 * c)
                   .permute(0, 3, 1, 2))
        k = conv.weight.permute(0, 2, 3, 1).reshape(conv.weight.shape[0],
                                                    4 * c, 1, 1)
        return F.conv2d(patches, k, conv.bias)

    def forward(self, x):
        for conv in self.convs:
            if self.pool_first:
                x = F.elu(F.max_pool2d(self.space_to_depth_conv(conv, x), 2))
            else:
                x = F.max_pool2d(F.elu(conv(x)), 2)
        emb = self.fc1(x.flatten(1))
        h = F.dropout(F.elu(emb), 0.5, self.training)
        return self.fc2(h), emb


def main():
    d, threads, batch = sys.argv[1], int(sys.argv[2]), int(sys.argv[3])
    tuned = "--tuned" in sys.argv
    pool_first = tuned
    torch.set_num_threads(threads)
    torch.manual_seed(1)
    raw = np.fromfile(d + "/tiles.u8", dtype=np.uint8).reshape(-1, 256, 256)
    n = raw.shape[0]
    labels = torch.tensor([i % 9 for i in range(n)], dtype=torch.int64)
    net = SeedNet(pool_first=pool_first)
    fmt = torch.channels_last if tuned else torch.contiguous_format
    net = net.to(memory_format=fmt)
    opt = torch.optim.RMSprop(net.parameters(), lr=1e-3, alpha=0.9, eps=1e-7)

    def batches(shuffle):
        order = np.random.RandomState(1).permutation(n) if shuffle else np.arange(n)
        for s in range(0, n, batch):
            idx = order[s:s + batch]
            x = torch.from_numpy(raw[idx].astype(np.float32) / 255.0)
            yield x.unsqueeze(1).contiguous(memory_format=fmt), labels[idx]

    def step(x, y):
        opt.zero_grad()
        logits, _ = net(x)
        loss = F.cross_entropy(logits, y)
        loss.backward()
        opt.step()
        return loss.item()

    first_x, first_y = next(batches(True))
    net.train()
    step(first_x, first_y)  # warm-up
    t = time.perf_counter()
    got = 0
    for x, y in batches(True):
        step(x, y)
        got += x.shape[0]
    print("train_end_to_end %.1f" % (got / (time.perf_counter() - t)))
    steps = max(1, n // batch)
    t = time.perf_counter()
    for _ in range(steps):
        step(first_x, first_y)
    print("train_model_only %.1f" % (steps * first_x.shape[0] / (time.perf_counter() - t)))

    net.eval()
    with torch.inference_mode():
        net(first_x)  # warm-up
        t = time.perf_counter()
        got = 0
        for x, _ in batches(False):
            net(x)[1].sum().item()
            got += x.shape[0]
        print("embed_end_to_end %.1f" % (got / (time.perf_counter() - t)))
        t = time.perf_counter()
        for _ in range(steps):
            net(first_x)[1].sum().item()
        print("embed_model_only %.1f" % (steps * first_x.shape[0] / (time.perf_counter() - t)))


if __name__ == "__main__":
    main()
