-- Stage a file to import as Parquet, its columns renamed to the contract, values as the reader gives them
-- (CSV: every value as text, so validation sees exactly what the file holds, nothing guessed).
copy (
    with source as (
        select * from {{reader}}
    ),
    renamed as (
        select {{columns}} from source
    )
    select * from renamed
) to $out (format parquet, compression zstd)
