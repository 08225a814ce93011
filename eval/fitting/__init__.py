"""What is fitted from data, never from the seed questions: the records to fit on (`collect`),
the fusion weights (`fusion`), the confidence and its tiers (`tiers`), the support cosine
(`support`), and the `python -m eval calibrate` command that writes them (`calibrate`)."""
