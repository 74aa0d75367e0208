"""The demo register: a garment factory's order workbook with seeded mistakes.

``register`` builds the workbook; ``data`` holds its names and words;
``mistakes`` lists the data-entry mistakes it seeds.
"""
