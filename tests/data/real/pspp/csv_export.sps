* Written for peerstudy's real-file corpus (tests/data/real/README.md).
* The same five participants at two visits: the baseline saved as a .sav
* file, the 12-month visit exported to CSV with SAVE TRANSLATE and
* FORMAT=VARIABLE, which prints every value in its variable's print format,
* as SPSS's "Save as CSV" does with formatted values: ids and site codes of
* format F8.2 become '101.00' and '1.00', the answer 99 (no answer) of an
* F8.2 item '99.00', and 99 in the F1.0 item SWLS5 does not fit its format
* and is written as '*'.
* Made-up data; no real person.
* Run: pspp csv_export.sps   (GNU PSPP 1.6.2 wrote the committed files)

DATA LIST LIST (",")
  /codigo (F4.0) centro (F1.0) SWLS1 SWLS2 SWLS3 SWLS4 SWLS5 (F1.0).
BEGIN DATA
101,1,4,4,4,3,4
102,1,3,3,3,3,3
103,2,2,2,3,2,2
104,2,5,4,5,5,5
105,2,1,2,1,2,1
END DATA.
SAVE OUTFILE='csv_export_t1.sav'.

DATA LIST LIST (",")
  /codigo (F8.2) centro (F8.2) SWLS1 SWLS2 SWLS3 SWLS4 (F8.2) SWLS5 (F1.0).
BEGIN DATA
101,1,4,4,5,3,4
102,1,3,99,3,3,3
103,2,2,2,3,99,99
104,2,5,4,5,5,5
105,2,2,2,2,2,2
END DATA.
SAVE TRANSLATE /OUTFILE='csv_export_t3.csv' /TYPE=CSV /FIELDNAMES
  /TEXTOPTIONS FORMAT=VARIABLE /REPLACE.
