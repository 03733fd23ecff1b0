-- decimal_year(d): a date as a continuous number of years, 1970 + days since 1970-01-01 / 365.25.
-- Grain: scalar macro (one value per date).
-- Inputs: a DATE.
-- Formula: 1970 + (d - date '1970-01-01') / 365.25
-- Why: the x-variable of every trend fit in the paper (Figs. 3, 6, 8-10). Any continuous date
-- variable (decimal year over 365, 365.25 or the year's own length, days since an epoch)
-- reproduces all twelve K.10 estimates of Table K.10; calendar year alone (an integer)
-- or year + month/12 do not (they miss 12 and 7 of them). The slope is "per year".
create macro decimal_year(d) as 1970 + (d - date '1970-01-01') / 365.25
