/*
 * The reference the workbook's speed is measured against: libxlsxwriter, a
 * C library, writing the same Responses sheet in constant-memory mode. It
 * reads the sheet's cells from a tab-separated file written by
 * BenchmarkResponsesSheet: a first line of column names, then one line per
 * row, each cell prefixed by its kind — s (text), n (number), d (a date, as
 * an Excel serial number) or e (empty).
 *
 *   cc -O2 -o responses_xlsxwriter responses_xlsxwriter.c -lxlsxwriter
 *   ./responses_xlsxwriter cells.tsv out.xlsx
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <xlsxwriter.h>

int main(int argc, char **argv) {
    if (argc != 3) {
        fprintf(stderr, "usage: %s cells.tsv out.xlsx\n", argv[0]);
        return 2;
    }
    FILE *in = fopen(argv[1], "r");
    if (!in) {
        perror(argv[1]);
        return 1;
    }
    lxw_workbook_options options = {.constant_memory = LXW_TRUE, .tmpdir = NULL};
    lxw_workbook *wb = workbook_new_opt(argv[2], &options);
    lxw_worksheet *ws = workbook_add_worksheet(wb, "Responses");
    lxw_format *header = workbook_add_format(wb);
    format_set_bold(header);
    lxw_format *date = workbook_add_format(wb);
    format_set_num_format(date, "yyyy-mm-dd hh:mm");
    worksheet_freeze_panes(ws, 1, 0);
    static char line[1 << 20];
    lxw_row_t row = 0;
    while (fgets(line, sizeof line, in)) {
        line[strcspn(line, "\n")] = 0;
        lxw_col_t col = 0;
        char *save = NULL;
        for (char *cell = strtok_r(line, "\t", &save); cell; cell = strtok_r(NULL, "\t", &save), col++) {
            if (row == 0) {
                worksheet_write_string(ws, row, col, cell, header);
                continue;
            }
            switch (cell[0]) { /* e: an empty cell, written as nothing */
            case 's':
                worksheet_write_string(ws, row, col, cell + 1, NULL);
                break;
            case 'n':
                worksheet_write_number(ws, row, col, strtod(cell + 1, NULL), NULL);
                break;
            case 'd':
                worksheet_write_number(ws, row, col, strtod(cell + 1, NULL), date);
                break;
            }
        }
        row++;
    }
    fclose(in);
    lxw_error err = workbook_close(wb);
    if (err != LXW_NO_ERROR) {
        fprintf(stderr, "%s\n", lxw_strerror(err));
        return 1;
    }
    return 0;
}
