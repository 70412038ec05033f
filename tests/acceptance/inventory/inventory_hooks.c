/*
 * inventory_hooks.c: the C hooks of inventory.rflow.  The DRF twin
 * (drf/inventory_app/views.py) does the same in Python:
 *
 *   inventory_validate_sku   ItemSerializer.validate_sku: a SKU has no
 *                            lower-case letter ("SKU must be upper case.")
 *   inventory_check_move     StockMoveSerializer.validators: a zero delta
 *                            ("A move must change the quantity.") and a
 *                            shipment that adds stock ("A shipment takes
 *                            stock out.") are non-field errors
 *   inventory_record_move    Moves.perform_create: moved_by is the user
 */
#include <ctype.h>
#include <string.h>

#include "inventory_hooks.h"

rf_rc inventory_validate_sku(rf_ctx *ctx, void *obj)
{
    const inventory_Item *item = obj;
    for (const char *c = item->sku; *c; c++)
        if (islower((unsigned char)*c))
            return rf_raise(ctx, "sku", "SKU must be upper case.");
    return RF_OK;
}

rf_rc inventory_check_move(rf_ctx *ctx, void *obj)
{
    const inventory_StockMove *move = obj;
    if (move->delta == 0)
        return rf_raise(ctx, NULL, "A move must change the quantity.");
    if (strcmp(move->reason, "shipment") == 0 && move->delta > 0)
        return rf_raise(ctx, NULL, "A shipment takes stock out.");
    return RF_OK;
}

rf_rc inventory_record_move(rf_ctx *ctx, void *obj)
{
    inventory_StockMove *move = obj;
    move->moved_by = rf_ctx_user(ctx)->id;  /* Moves requires IsAuthenticated */
    RF_STATE(move, INVENTORY_STOCKMOVE_MOVED_BY) = RF_SET;
    return RF_OK;
}
