/* umt-application.h: the GtkApplication of Updates Manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include <adwaita.h>

G_BEGIN_DECLS

#define UMT_TYPE_APPLICATION (umt_application_get_type ())
G_DECLARE_FINAL_TYPE (UmtApplication, umt_application, UMT, APPLICATION, AdwApplication)

UmtApplication *umt_application_new          (void);
GSettings      *umt_application_get_settings (UmtApplication *self);

G_END_DECLS
