* Written for peerstudy's real-file corpus (tests/data/real/README.md).
* An item column that carries a date format (SWLS3 as DATE11): the value 0
* shows as 14-OCT-1582, the start of SPSS's calendar. Ingestion must stop and
* name the column instead of reading the numbers as answers or as text.
* Run: pspp date_item.sps   (GNU PSPP 1.6.2 wrote the committed .sav)

DATA LIST LIST (",") /id (F4.0) SWLS1 SWLS2 (F2.0) SWLS3 (F8.0) SWLS4 SWLS5 (F2.0).
BEGIN DATA
101,4,4,0,3,4
102,3,3,0,3,3
END DATA.
FORMATS SWLS3 (DATE11).
SAVE OUTFILE='date_item.sav'.
