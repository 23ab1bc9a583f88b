/* umt-registration.h: the blocking work of registering, for the device manager
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Internal to src/core: UmtDeviceManager copies what a request needs out of
 * the profile (the interface may edit it meanwhile), then runs the request
 * in a worker thread or, for the CLI, in place.
 */
#pragma once

#include "umt-device-info.h"
#include "umt-meeting-client.h"
#include "umt-profile.h"

G_BEGIN_DECLS

/* What a client for the profile in use needs. */
typedef struct
{
  char     *profile_name;
  char     *profile_url;
  char     *server_url;
  gboolean  server_overridden;
  guint     timeout;
  guint     retries;
  gboolean  verify_tls;
} UmtClientSettings;

UmtClientSettings *umt_client_settings_new        (UmtProfile              *profile,
                                                   const char              *server_url,
                                                   gboolean                 server_overridden);
void               umt_client_settings_free       (UmtClientSettings       *settings);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtClientSettings, umt_client_settings_free)

/* The profile's token from the keyring, or NULL: never for a server URL that
 * overrides the profile's, and a keyring that does not answer means none.
 * Blocking. */
char              *umt_client_settings_lookup_token (const UmtClientSettings *settings,
                                                     GCancellable            *cancellable);
UmtMeetingClient  *umt_client_settings_create_client (const UmtClientSettings *settings,
                                                      const char              *token,
                                                      GError                 **error);

/* One registration: its input, checked when made, and its outcome. */
typedef struct
{
  UmtClientSettings      *settings;
  char                   *device_key;
  char                   *token_code;     /* upper-cased */
  char                   *previous_key;   /* the key registered before, if any */
  char                   *note;
  char                   *cluster_ip;
  char                   *public_ip_url;
  UmtDeviceInfoFlags      info_flags;

  UmtDeviceInfo          *info;           /* what was sent */
  UmtMeetingRegistration *registration;   /* the server's answer */
  char                   *keyring_warning;
} UmtRegistration;

/* Fails with UMT_CONFIG_ERROR_INVALID_INPUT on a bad key or token. */
UmtRegistration   *umt_registration_new           (UmtProfile         *profile,
                                                   const char         *server_url,
                                                   gboolean            server_overridden,
                                                   const char         *device_key,
                                                   const char         *token_code,
                                                   const char         *previous_key,
                                                   GError            **error);
void               umt_registration_free          (UmtRegistration    *registration);
G_DEFINE_AUTOPTR_CLEANUP_FUNC (UmtRegistration, umt_registration_free)

/* Collects the device information, asks the server, and keeps the token in
 * the keyring for the tunnel. Blocking; safe in any thread. */
gboolean           umt_registration_run           (UmtRegistration    *registration,
                                                   GCancellable       *cancellable,
                                                   GError            **error);

G_END_DECLS
