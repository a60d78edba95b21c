"""A small decoder-only transformer (about 3.3M parameters, context 512) over ``music.tokens``, with a KV cache
for generation and the token grammar enforced while sampling (so every note gets its duration)."""

from __future__ import annotations

import math
from collections.abc import Callable
from dataclasses import asdict, dataclass
from pathlib import Path

import torch
from torch import nn
from torch.nn import functional as F

from music import weights
from music.tokens import BAR, BOS_CHORALE, BOS_MELODY, EOS, VOCAB, Grammar

Progress = Callable[[int, int], None]


@dataclass
class TransformerConfig:
    vocab: int = VOCAB
    context: int = 512
    d_model: int = 256
    heads: int = 4
    layers: int = 4
    dropout: float = 0.1


class Block(nn.Module):
    def __init__(self, c: TransformerConfig) -> None:
        super().__init__()
        self.heads = c.heads
        self.ln1 = nn.LayerNorm(c.d_model)
        self.qkv = nn.Linear(c.d_model, 3 * c.d_model)
        self.proj = nn.Linear(c.d_model, c.d_model)
        self.ln2 = nn.LayerNorm(c.d_model)
        self.mlp = nn.Sequential(nn.Linear(c.d_model, 4 * c.d_model), nn.GELU(), nn.Linear(4 * c.d_model, c.d_model))
        self.drop = nn.Dropout(c.dropout)

    def forward(
        self, x: torch.Tensor, cache: tuple[torch.Tensor, torch.Tensor] | None = None
    ) -> tuple[torch.Tensor, tuple[torch.Tensor, torch.Tensor]]:
        b, t, d = x.shape
        q, k, v = self.qkv(self.ln1(x)).split(d, dim=-1)
        q, k, v = (z.view(b, t, self.heads, d // self.heads).transpose(1, 2) for z in (q, k, v))
        if cache is not None:
            k, v = torch.cat([cache[0], k], dim=2), torch.cat([cache[1], v], dim=2)
        # with a cache the new queries come after every cached key: causal within the new ones only
        if cache is None or t > 1:
            past = k.shape[2] - t
            mask = torch.ones(t, k.shape[2], dtype=torch.bool).tril(diagonal=past)
            att = F.scaled_dot_product_attention(q, k, v, attn_mask=mask, dropout_p=0.0)
        else:
            att = F.scaled_dot_product_attention(q, k, v)
        x = x + self.drop(self.proj(att.transpose(1, 2).reshape(b, t, d)))
        x = x + self.drop(self.mlp(self.ln2(x)))
        return x, (k, v)


class MusicTransformer(nn.Module):
    def __init__(self, config: TransformerConfig | None = None) -> None:
        super().__init__()
        self.config = c = config or TransformerConfig()
        self.tok = nn.Embedding(c.vocab, c.d_model)
        self.pos = nn.Embedding(c.context, c.d_model)
        self.blocks = nn.ModuleList(Block(c) for _ in range(c.layers))
        self.ln = nn.LayerNorm(c.d_model)
        self.head = nn.Linear(c.d_model, c.vocab, bias=False)
        self.head.weight = self.tok.weight  # tied
        self.apply(self._init)

    @staticmethod
    def _init(m: nn.Module) -> None:
        if isinstance(m, nn.Linear | nn.Embedding):
            nn.init.normal_(m.weight, std=0.02)
        if isinstance(m, nn.Linear) and m.bias is not None:
            nn.init.zeros_(m.bias)

    def forward(
        self, tokens: torch.Tensor, caches: list | None = None
    ) -> tuple[torch.Tensor, list[tuple[torch.Tensor, torch.Tensor]]]:
        start = 0 if caches is None else caches[0][0].shape[2]
        positions = torch.arange(start, start + tokens.shape[1])
        x = self.tok(tokens) + self.pos(positions)
        new = []
        for i, block in enumerate(self.blocks):
            x, kv = block(x, None if caches is None else caches[i])
            new.append(kv)
        return self.head(self.ln(x)), new

    def config_dict(self) -> dict:
        return asdict(self.config)


def load_transformer(directory: Path | None = None) -> MusicTransformer:
    meta = weights.load_meta("transformer", directory)
    return weights.load_state(MusicTransformer(TransformerConfig(**meta["config"])), "transformer", directory)


def windows(tokens: list[int], context: int) -> list[list[int]]:
    """Cut a long sequence into chunks of at most ``context`` tokens, each its BOS then whole bars."""
    bos, body = tokens[0], tokens[1:]
    bars = [i for i, t in enumerate(body) if t == BAR] + [len(body)]
    out, start = [], 0
    while start < len(body):
        end = max([b for b in bars if b - start <= context - 1 and b > start], default=start + context - 1)
        out.append([bos] + body[start:end])
        start = end
    return out


@torch.no_grad()
def sequence_nll(model: MusicTransformer, tokens: list[int]) -> tuple[float, int]:
    """Total NLL (nats) of the tokens after each window's BOS, and how many tokens were scored."""
    model.eval()
    total, count = 0.0, 0
    for chunk in windows(tokens, model.config.context):
        x = torch.tensor(chunk).unsqueeze(0)
        logits, _ = model(x[:, :-1])
        total += float(F.cross_entropy(logits[0], x[0, 1:], reduction="sum"))
        count += len(chunk) - 1
    return total, count


@torch.no_grad()
def generate(
    model: MusicTransformer,
    prompt: list[int],
    *,
    bars: int,
    steps_per_bar: int = 16,
    melody_only: bool = False,
    temperature: float = 1.0,
    top_p: float = 0.95,
    seed: int = 0,
    ranges: list[tuple[int, int]] | None = None,
    progress: Progress | None = None,
) -> list[int]:
    """Continue ``prompt`` (BOS ... without EOS) by ``bars`` bars; returns only the new tokens.

    Tokens are drawn one at a time through the KV cache; when the context is full the cache is rebuilt from
    the last half of it, cut at a bar line and behind the BOS token.
    """
    model.eval()
    gen = torch.Generator().manual_seed(seed)
    grammar = Grammar(steps_per_bar=steps_per_bar, melody_only=melody_only)
    for token in prompt:
        grammar.feed(token)
    bos = BOS_MELODY if melody_only else BOS_CHORALE
    context = model.config.context
    window = [bos] + list(prompt[1:])  # the tokens the cache holds

    def rebuild(tokens: list[int]) -> tuple[list[int], torch.Tensor, list]:
        if len(tokens) >= context:
            keep = tokens[-(context // 2) :]
            keep = keep[keep.index(BAR) :] if BAR in keep else keep
            tokens = [bos] + keep
        logits, caches = model(torch.tensor([tokens]))
        return tokens, logits[0, -1], caches

    window, logits, caches = rebuild(window)
    new: list[int] = []
    bars_done = 0
    while True:
        allowed = torch.from_numpy(grammar.allowed(ranges))
        scores = logits.masked_fill(~allowed, -math.inf)
        if temperature <= 0:
            token = int(scores.argmax())
        else:
            probs = torch.softmax(scores / temperature, dim=-1)
            ordered, index = probs.sort(descending=True)
            cut = (ordered.cumsum(0) - ordered) > top_p
            ordered[cut] = 0
            token = int(index[torch.multinomial(ordered / ordered.sum(), 1, generator=gen)])
        if token == BAR:
            bars_done += 1
            if progress is not None:
                progress(min(bars_done, bars), bars)
            if bars_done > bars:
                break
        new.append(token)
        grammar.feed(token)
        window.append(token)
        if len(window) >= context:
            window, logits, caches = rebuild(window)
        else:
            out, caches = model(torch.tensor([[token]]), caches)
            logits = out[0, -1]
    while new and new[-1] == BAR:
        new.pop()
    return [t for t in new if t != EOS]


def prompt_tokens(tokens: list[int]) -> list[int]:
    return tokens[:-1] if tokens and tokens[-1] == EOS else tokens
