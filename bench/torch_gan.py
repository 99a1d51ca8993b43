# The benchmark network (nugan's default architecture with dropout 0.1: bench/gan.ts) and nugan's training step (src/gan/engines/
# engine.ts) in PyTorch, for `npm run bench -- gan` to set beside nugan's numbers on the same machine.
# Usage: python3 bench/torch_gan.py THREADS [quick|full]; prints one JSON object (events/s).
# Same work per step as nugan: D on B real and B fake events, then G on B fresh latents through the
# updated D (the fakes of the D update are not reused), Adam on both, dropout on.
import json, sys, time

import torch

threads = int(sys.argv[1]) if len(sys.argv) > 1 else 1
quick = len(sys.argv) > 2 and sys.argv[2] == 'quick'
# 'cpu' as a third argument times CPU seconds of this process instead of wall seconds (comparisons
# on a machine other programs load too; meaningful for one thread).
clock = time.process_time if len(sys.argv) > 3 and sys.argv[3] == 'cpu' else time.perf_counter
torch.set_num_threads(threads)
torch.manual_seed(1)
device = 'cuda' if torch.cuda.is_available() else 'cpu'
BLOCKS, WIDTH, LATENT, DROPOUT, LEAK, EPS = 4, 128, 8, 0.1, 0.2, 1e-3


class Net(torch.nn.Module):
    """Blocks Dense → LayerNorm → LeakyReLU → Dropout (+ skip for b ≥ 1), E'_nu appended to each input."""

    def __init__(self, inputs, outputs):
        super().__init__()
        self.dense = torch.nn.ModuleList(torch.nn.Linear((inputs if b == 0 else WIDTH) + 1, WIDTH) for b in range(BLOCKS))
        self.norm = torch.nn.ModuleList(torch.nn.LayerNorm(WIDTH, eps=EPS) for _ in range(BLOCKS))
        self.out = torch.nn.Linear(WIDTH + 1, outputs)
        self.drop = torch.nn.Dropout(DROPOUT)

    def forward(self, x, c):
        h = x
        for b in range(BLOCKS):
            y = self.drop(torch.nn.functional.leaky_relu(self.norm[b](self.dense[b](torch.cat([h, c], 1))), LEAK))
            h = y + h if b > 0 else y
        return self.out(torch.cat([h, c], 1))


def train(batch, seconds):
    G, D = Net(LATENT, 2).to(device), Net(2, 1).to(device)
    opt_g = torch.optim.Adam(G.parameters(), 2e-4, betas=(0.5, 0.999), eps=1e-7)
    opt_d = torch.optim.Adam(D.parameters(), 2e-4, betas=(0.5, 0.999), eps=1e-7)
    bce = torch.nn.BCEWithLogitsLoss()
    x = torch.rand(batch, 2, device=device) * 1.6 - 0.8
    c = torch.rand(batch, 1, device=device) * 2 - 1
    ones, zeros = torch.ones(batch, 1, device=device), torch.zeros(batch, 1, device=device)

    def step():
        fake = torch.tanh(G(torch.randn(batch, LATENT, device=device), c)).detach()
        loss_d = bce(D(x, c), ones) + bce(D(fake, c), zeros)
        opt_d.zero_grad(set_to_none=True)
        loss_d.backward()
        opt_d.step()
        loss_g = bce(D(torch.tanh(G(torch.randn(batch, LATENT, device=device), c)), c), ones)
        opt_g.zero_grad(set_to_none=True)
        loss_g.backward()
        opt_g.step()

    def timed(n):
        if device == 'cuda':
            torch.cuda.synchronize()
        t = clock()
        for _ in range(n):
            step()
        if device == 'cuda':
            torch.cuda.synchronize()
        return clock() - t

    per_step = timed(3) / 3
    steps = max(3, round(seconds / per_step))
    return steps * batch / timed(steps), G


def generate(G, seconds):
    G.eval()
    chunk = 65536
    with torch.no_grad():
        c = torch.rand(chunk, 1, device=device) * 2 - 1

        def timed(n):
            t = clock()
            for _ in range(n):
                torch.tanh(G(torch.randn(chunk, LATENT, device=device), c)).cpu()
            return clock() - t

        per = timed(2) / 2
        n = max(2, round(seconds / per))
        return n * chunk / timed(n)


seconds = 1 if quick else 4
train1024, _ = train(1024, seconds)
train8192, G = train(8192, seconds)
print(json.dumps({'version': torch.__version__, 'device': device, 'threads': torch.get_num_threads(), 'train1024': train1024, 'train8192': train8192, 'generate': generate(G, seconds)}))
