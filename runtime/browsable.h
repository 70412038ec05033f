/*
 * browsable.h (internal): the browsable API's static assets
 * (browsable_assets.c), embedded in every page so that it needs nothing
 * from elsewhere.
 */
#ifndef RF_BROWSABLE_H
#define RF_BROWSABLE_H

extern const char rf_browsable_css[];
extern const char rf_browsable_js[];

#endif
