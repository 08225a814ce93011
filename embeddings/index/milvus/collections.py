"""The three collections of a Milvus index and their schemas.

    <prefix>chunks     pk (chunk id), article_id, text, start, end; tokens: our own
                       `corpus.search_tokens`, space-joined (Milvus 2.5 has no working Arabic
                       analyzer), fed by a BM25 function into `sparse`; dense: the unit vector
    <prefix>sentences  pk ("<article>:<start>-<end>"), article_id, chunk_id (the first chunk that
                       holds the sentence whole, "" if a chunk boundary cuts it), start, end, vector
    <prefix>meta       the state row (the commit point of a write) and the manifest in parts

A chunk's title is its article's, from the manifest: milvus-lite has no nullable fields, and one
copy of it is enough. The vector index is FLAT by default (exact, as FAISS is up to 30k
vectors); a cluster would use IVF_SQ8 or HNSW (README, Past one machine).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any, Literal

from embeddings.index.manifest import RECOVERY, AnnSettings, IndexCorruptError, IndexMismatchError
from embeddings.index.milvus.engine import Engine, EngineUnavailable

# bm25s's defaults (method "lucene"): the same ranking; Milvus's scores are (k1 + 1) times larger.
BM25_K1 = 1.5
BM25_B = 0.75
MAX_VARCHAR = 65_535  # bytes, the most a Milvus 2.5 VARCHAR holds
MAX_ID = 512
STRONG = "Strong"  # every read sees every write before it
# Index types of the vector fields: (build parameters, search parameters). milvus-lite builds
# FLAT and IVF_FLAT; IVF_SQ8 and HNSW are for a Milvus server or cluster (RAG_MILVUS_INDEX).
# nprobe 32 as FAISS's IVF (embeddings/index/faiss/ann.py); ef is raised to k where k is larger.
MilvusIndexType = Literal["FLAT", "IVF_FLAT", "IVF_SQ8", "HNSW"]
VECTOR_INDEXES: dict[MilvusIndexType, tuple[dict[str, int], dict[str, int]]] = {
    "FLAT": ({}, {}),
    "IVF_FLAT": ({"nlist": 1024}, {"nprobe": 32}),
    "IVF_SQ8": ({"nlist": 1024}, {"nprobe": 32}),
    "HNSW": ({"M": 32, "efConstruction": 200}, {"ef": 128}),
}


def ann_settings(index_type: MilvusIndexType) -> AnnSettings:
    """What the manifest records of a vector index."""
    if index_type not in VECTOR_INDEXES:
        raise ValueError(
            f"unknown Milvus index type '{index_type}'; choose one of {', '.join(VECTOR_INDEXES)}"
        )
    search = VECTOR_INDEXES[index_type][1]
    return AnnSettings(
        factory=f"milvus:{index_type}",
        metric="ip",
        nprobe=search.get("nprobe"),
        ef_search=search.get("ef"),
    )


def search_params(ann: AnnSettings | None, k: int) -> dict[str, int]:
    """The search parameters of the index a manifest records, for `k` results."""
    if ann is None:
        return {}
    if ef_search := ann.get("ef_search"):
        return {"ef": max(ef_search, k)}
    nprobe = ann.get("nprobe")
    return {"nprobe": nprobe} if nprobe else {}


@dataclass(frozen=True)
class Collections:
    prefix: str = "rag_"

    @property
    def chunks(self) -> str:
        return f"{self.prefix}chunks"

    @property
    def sentences(self) -> str:
        return f"{self.prefix}sentences"

    @property
    def meta(self) -> str:
        return f"{self.prefix}meta"

    def all(self) -> tuple[str, str, str]:
        return (self.chunks, self.sentences, self.meta)


def _fields(dimension: int) -> dict[str, list[tuple[str, str, dict[str, Any]]]]:
    """(name, DataType name, options) of each collection's fields."""
    varchar = {"max_length": MAX_VARCHAR}
    ident = {"max_length": MAX_ID}
    return {
        "chunks": [
            ("pk", "VARCHAR", {**ident, "is_primary": True}),
            ("article_id", "VARCHAR", ident),
            ("text", "VARCHAR", varchar),
            ("start", "INT64", {}),
            ("end", "INT64", {}),
            (
                "tokens",
                "VARCHAR",
                {
                    **varchar,
                    "enable_analyzer": True,
                    "analyzer_params": {"tokenizer": "whitespace"},
                },
            ),
            ("sparse", "SPARSE_FLOAT_VECTOR", {}),
            ("dense", "FLOAT_VECTOR", {"dim": dimension}),
        ],
        "sentences": [
            ("pk", "VARCHAR", {"max_length": 2 * MAX_ID, "is_primary": True}),
            ("article_id", "VARCHAR", ident),
            ("chunk_id", "VARCHAR", ident),
            ("start", "INT64", {}),
            ("end", "INT64", {}),
            ("vector", "FLOAT_VECTOR", {"dim": dimension}),
        ],
        "meta": [
            ("pk", "VARCHAR", {"max_length": 128, "is_primary": True}),
            ("value", "VARCHAR", varchar),
            ("v", "FLOAT_VECTOR", {"dim": 2}),  # Milvus wants a vector field in every collection
        ],
    }


def _schema(client: Engine, fields: list[tuple[str, str, dict[str, Any]]], bm25: bool) -> Any:
    from pymilvus import DataType, Function, FunctionType

    schema = client.schema(auto_id=False, enable_dynamic_field=False)
    for name, kind, options in fields:
        schema.add_field(name, getattr(DataType, kind), **options)
    if bm25:
        schema.add_function(
            Function(
                name="bm25",
                function_type=FunctionType.BM25,
                input_field_names=["tokens"],
                output_field_names=["sparse"],
            )
        )
    return schema


def create(
    client: Engine, names: Collections, dimension: int, index_type: MilvusIndexType = "FLAT"
) -> None:
    """Drop whatever the names hold and create the three collections, empty, with vector
    indexes of `index_type` (see VECTOR_INDEXES)."""
    ann_settings(index_type)  # refuses an unknown type before anything is dropped
    for name in names.all():
        if client.call("has_collection", name):
            client.call("drop_collection", name, write=True)
    fields = _fields(dimension)
    for role, name, vector in (
        ("meta", names.meta, "v"),
        ("chunks", names.chunks, "dense"),
        ("sentences", names.sentences, "vector"),
    ):
        kind = "FLAT" if role == "meta" else index_type
        index = client.index_params()
        index.add_index(
            field_name=vector, index_type=kind, metric_type="IP", params=VECTOR_INDEXES[kind][0]
        )
        if role == "chunks":
            index.add_index(
                field_name="sparse",
                index_type="SPARSE_INVERTED_INDEX",
                metric_type="BM25",
                params={"bm25_k1": BM25_K1, "bm25_b": BM25_B},
            )
        client.call(
            "create_collection",
            name,
            schema=_schema(client, fields[role], bm25=role == "chunks"),
            index_params=index,
            consistency_level=STRONG,
            write=True,
        )


def present(client: Engine, names: Collections) -> int:
    """How many of the three collections exist (0: no index; 1 or 2: a damaged one)."""
    return sum(bool(client.call("has_collection", name)) for name in names.all())


def check(client: Engine, names: Collections, dimension: int) -> None:
    """Every collection has the fields this version writes, with vectors of `dimension`."""
    expected = _fields(dimension)
    for role, name in zip(("chunks", "sentences", "meta"), names.all(), strict=True):
        try:
            found = {f["name"]: f for f in client.call("describe_collection", name)["fields"]}
        except EngineUnavailable:
            raise
        except Exception as error:  # pymilvus raises MilvusException subclasses and gRPC errors
            raise IndexCorruptError(
                f"cannot read collection {name} ({error}); {RECOVERY}"
            ) from error
        for field_name, kind, options in expected[role]:
            field = found.get(field_name)
            if field is None or getattr(field["type"], "name", None) != kind:
                raise IndexMismatchError(
                    f"collection {name} has no {kind} field {field_name!r}: it was not made by "
                    f"this version; {RECOVERY}"
                )
            stored = field.get("params", {}).get("dim")
            if "dim" in options and int(stored) != options["dim"]:
                raise IndexMismatchError(
                    f"collection {name} holds {stored}-d vectors, the model makes "
                    f"{options['dim']}-d; {RECOVERY}"
                )
