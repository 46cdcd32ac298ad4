* Written for peerstudy's real-file corpus (tests/data/real/README.md).
* An item stored as a string variable with string value labels (SWLS2: 'A',
* 'B'...): reading it used to crash on the labels. Ingestion must refuse it
* clearly, naming the column and how to convert it.
* Run: pspp string_item.sps   (GNU PSPP 1.6.2 wrote the committed .sav)

DATA LIST LIST (",") /id (F4.0) SWLS1 (F2.0) SWLS2 (A1) SWLS3 SWLS4 SWLS5 (F2.0).
BEGIN DATA
101,4,D,4,3,4
102,3,C,3,3,3
END DATA.
VALUE LABELS SWLS2 'A' 'Muy en desacuerdo' 'B' 'En desacuerdo' 'C' 'Neutral' 'D' 'De acuerdo' 'E' 'Muy de acuerdo'.
SAVE OUTFILE='string_item.sav'.
