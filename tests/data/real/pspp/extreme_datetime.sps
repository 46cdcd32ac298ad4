* Written for peerstudy's real-file corpus (tests/data/real/README.md).
* A date-time column the study does not use holds a value far outside any
* calendar (a keying slip in a timestamp). Converting it made the reader fail
* on the whole file with a message about truncation; the file must read, and
* the answers must come through.
* Run: pspp extreme_datetime.sps   (GNU PSPP 1.6.2 wrote the committed .sav)

DATA LIST LIST (",") /id (F4.0) registro (DATETIME20) SWLS1 SWLS2 SWLS3 SWLS4 SWLS5 (F2.0).
BEGIN DATA
101,10-JAN-2023 09:30:00,4,4,4,3,4
102,10-JAN-2023 10:00:00,3,3,3,3,3
END DATA.
IF (id = 102) registro = 1E18.
SAVE OUTFILE='extreme_datetime.sav'.
