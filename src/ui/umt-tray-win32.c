/* umt-tray-win32.c: the tray as a Windows notification-area icon
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#define G_LOG_DOMAIN "umt-tray-win32"

#include "config.h"

#include <gtk/gtk.h>

#define WIN32_LEAN_AND_MEAN
#include <windows.h>
#include <windowsx.h>
#include <shellapi.h>

#include "umt-tray-backend.h"
#include "umt-tray-win32.h"

#define ICON_RESOURCE_DIR  "/fr/ygsoft/UpdatesManagerTool/icons/scalable/status"
#define WINDOW_CLASS       L"UmtTrayWindow"
#define TRAY_CALLBACK      (WM_APP + 1)
#define TRAY_ICON_ID       1
/* Menu command ids are the model's item ids; this one only separates. */
#define SEPARATOR_COMMAND  0

struct _UmtTrayWin32
{
  GObject   parent_instance;

  UmtTray  *tray;
  HWND      hwnd;
  HICON     icon;
  UINT      taskbar_created;
  gboolean  added;
};

G_DEFINE_FINAL_TYPE (UmtTrayWin32, umt_tray_win32, G_TYPE_OBJECT)

static const int menu_order[] = {
  UMT_TRAY_ITEM_OPEN, UMT_TRAY_ITEM_SEND_HEARTBEAT, UMT_TRAY_ITEM_COPY_DEVICE_KEY,
  UMT_TRAY_ITEM_PAUSE_RESUME, SEPARATOR_COMMAND, UMT_TRAY_ITEM_QUIT,
};

/* The SVG of the state, rendered at the small-icon size of this screen. */
static HICON
create_state_icon (const char *icon_name)
{
  g_autofree char *resource = g_strdup_printf ("%s/%s.svg", ICON_RESOURCE_DIR, icon_name);
  g_autoptr(GdkPixbuf) source = NULL;
  g_autoptr(GdkPixbuf) pixbuf = NULL;
  g_autoptr(GError) error = NULL;
  int size = GetSystemMetrics (SM_CXSMICON);
  BITMAPV5HEADER header = { 0 };
  ICONINFO info = { 0 };
  HBITMAP color, mask;
  HICON icon;
  guint8 *bits = NULL;
  const guint8 *pixels;
  HDC dc;
  int width, height, stride, channels;

  source = gdk_pixbuf_new_from_resource_at_scale (resource, size > 0 ? size : 16,
                                                  size > 0 ? size : 16, TRUE, &error);
  if (source == NULL)
    {
      g_debug ("Cannot load the tray icon %s: %s", resource, error->message);
      return NULL;
    }
  pixbuf = gdk_pixbuf_get_has_alpha (source) ? g_object_ref (source)
                                             : gdk_pixbuf_add_alpha (source, FALSE, 0, 0, 0);
  width = gdk_pixbuf_get_width (pixbuf);
  height = gdk_pixbuf_get_height (pixbuf);
  stride = gdk_pixbuf_get_rowstride (pixbuf);
  channels = gdk_pixbuf_get_n_channels (pixbuf);
  pixels = gdk_pixbuf_read_pixels (pixbuf);

  /* A top-down 32-bit BGRA bitmap: Windows takes its alpha for the icon's. */
  header.bV5Size = sizeof header;
  header.bV5Width = width;
  header.bV5Height = -height;
  header.bV5Planes = 1;
  header.bV5BitCount = 32;
  header.bV5Compression = BI_BITFIELDS;
  header.bV5RedMask = 0x00ff0000;
  header.bV5GreenMask = 0x0000ff00;
  header.bV5BlueMask = 0x000000ff;
  header.bV5AlphaMask = 0xff000000;

  dc = GetDC (NULL);
  color = CreateDIBSection (dc, (BITMAPINFO *) &header, DIB_RGB_COLORS, (void **) &bits, NULL, 0);
  ReleaseDC (NULL, dc);
  if (color == NULL || bits == NULL)
    return NULL;

  for (int y = 0; y < height; y++)
    for (int x = 0; x < width; x++)
      {
        const guint8 *in = pixels + y * stride + x * channels;
        guint8 *out = bits + (y * width + x) * 4;

        out[0] = in[2];
        out[1] = in[1];
        out[2] = in[0];
        out[3] = in[3];
      }

  /* With an alpha channel the mask is ignored, but it must exist. */
  mask = CreateBitmap (width, height, 1, 1, NULL);
  info.fIcon = TRUE;
  info.hbmColor = color;
  info.hbmMask = mask;
  icon = CreateIconIndirect (&info);
  DeleteObject (color);
  DeleteObject (mask);

  return icon;
}

static void
fill_icon_data (UmtTrayWin32    *self,
                NOTIFYICONDATAW *data)
{
  g_autofree char *tip = NULL;
  g_autofree gunichar2 *tip16 = NULL;
  glong length = 0;

  memset (data, 0, sizeof *data);
  data->cbSize = sizeof *data;
  data->hWnd = self->hwnd;
  data->uID = TRAY_ICON_ID;
  data->uFlags = NIF_MESSAGE | NIF_ICON | NIF_TIP | NIF_SHOWTIP;
  data->uCallbackMessage = TRAY_CALLBACK;
  data->hIcon = self->icon != NULL ? self->icon : LoadIconW (NULL, (LPCWSTR) IDI_APPLICATION);

  tip = g_strdup_printf ("%s\n%s", umt_tray_get_tooltip_title (self->tray),
                         umt_tray_get_tooltip_body (self->tray));
  tip16 = g_utf8_to_utf16 (tip, -1, NULL, &length, NULL);
  if (tip16 != NULL)
    {
      /* szTip holds 128 characters with the terminator; longer tips are cut. */
      length = MIN (length, (glong) G_N_ELEMENTS (data->szTip) - 1);
      memcpy (data->szTip, tip16, length * sizeof (WCHAR));
      data->szTip[length] = L'\0';
    }
}

static void
update_icon (UmtTrayWin32 *self)
{
  HICON icon = create_state_icon (umt_tray_get_icon_name (self->tray));

  if (self->icon != NULL)
    DestroyIcon (self->icon);
  self->icon = icon;
}

static void
add_icon (UmtTrayWin32 *self)
{
  NOTIFYICONDATAW data;

  fill_icon_data (self, &data);
  /* Explorer may not be up yet at login: TaskbarCreated will come. */
  self->added = Shell_NotifyIconW (NIM_ADD, &data);
  if (self->added)
    {
      data.uVersion = NOTIFYICON_VERSION_4;
      Shell_NotifyIconW (NIM_SETVERSION, &data);
    }
  umt_tray_set_host_available (self->tray, self->added);
}

static void
show_menu (UmtTrayWin32 *self,
           int           x,
           int           y)
{
  HMENU menu = CreatePopupMenu ();
  int command;

  for (guint i = 0; i < G_N_ELEMENTS (menu_order); i++)
    {
      int item = menu_order[i];
      g_autofree gunichar2 *label = NULL;

      if (item == SEPARATOR_COMMAND)
        {
          AppendMenuW (menu, MF_SEPARATOR, 0, NULL);
          continue;
        }
      label = g_utf8_to_utf16 (umt_tray_get_item_label (self->tray, item), -1, NULL, NULL, NULL);
      AppendMenuW (menu, MF_STRING | (umt_tray_get_item_sensitive (self->tray, item) ? 0 : MF_GRAYED),
                   item, label != NULL ? (LPCWSTR) label : L"");
    }

  /* Without the foreground the menu would not close on a click elsewhere;
   * the posted message lets it close the second time it is opened. */
  SetForegroundWindow (self->hwnd);
  command = TrackPopupMenu (menu, TPM_RETURNCMD | TPM_NONOTIFY | TPM_RIGHTBUTTON | TPM_BOTTOMALIGN,
                            x, y, 0, self->hwnd, NULL);
  PostMessageW (self->hwnd, WM_NULL, 0, 0);
  DestroyMenu (menu);

  if (command >= 1 && command <= UMT_TRAY_N_ITEMS)
    umt_tray_activate_item (self->tray, command);
}

static LRESULT CALLBACK
window_proc (HWND   hwnd,
             UINT   message,
             WPARAM wparam,
             LPARAM lparam)
{
  UmtTrayWin32 *self = (UmtTrayWin32 *) GetWindowLongPtrW (hwnd, GWLP_USERDATA);

  if (self == NULL)
    return DefWindowProcW (hwnd, message, wparam, lparam);

  if (message == self->taskbar_created && self->taskbar_created != 0)
    {
      /* Explorer restarted and forgot every icon. */
      add_icon (self);
      return 0;
    }

  if (message == TRAY_CALLBACK)
    {
      /* NOTIFYICON_VERSION_4: the event in the low word, the anchor in wparam. */
      g_autoptr(UmtTray) tray = g_object_ref (self->tray);

      switch (LOWORD (lparam))
        {
        case NIN_SELECT:
        case NIN_KEYSELECT:
          umt_tray_activate (tray);
          break;
        case WM_MBUTTONUP:
          umt_tray_secondary_activate (tray);
          break;
        case WM_CONTEXTMENU:
          show_menu (self, GET_X_LPARAM (wparam), GET_Y_LPARAM (wparam));
          break;
        default:
          break;
        }
      return 0;
    }

  return DefWindowProcW (hwnd, message, wparam, lparam);
}

static gboolean
ensure_window_class (HINSTANCE instance)
{
  static gsize registered = 0;

  if (g_once_init_enter (&registered))
    {
      WNDCLASSEXW klass = { 0 };

      klass.cbSize = sizeof klass;
      klass.lpfnWndProc = window_proc;
      klass.hInstance = instance;
      klass.lpszClassName = WINDOW_CLASS;
      g_once_init_leave (&registered, RegisterClassExW (&klass) != 0 ? 1 : 2);
    }
  return registered == 1;
}

static void
on_tray_changed (UmtTray        *tray,
                 UmtTrayChanges  changes,
                 gpointer        user_data)
{
  UmtTrayWin32 *self = user_data;
  NOTIFYICONDATAW data;

  /* The menu is built from the model each time it opens. */
  if (!(changes & (UMT_TRAY_CHANGED_ICON | UMT_TRAY_CHANGED_TOOLTIP | UMT_TRAY_CHANGED_STATUS)))
    return;
  if (changes & UMT_TRAY_CHANGED_ICON)
    update_icon (self);
  if (!self->added)
    return;
  fill_icon_data (self, &data);
  Shell_NotifyIconW (NIM_MODIFY, &data);
}

UmtTrayWin32 *
umt_tray_win32_new (UmtTray *tray)
{
  UmtTrayWin32 *self;
  HINSTANCE instance = GetModuleHandleW (NULL);

  g_return_val_if_fail (UMT_IS_TRAY (tray), NULL);

  self = g_object_new (UMT_TYPE_TRAY_WIN32, NULL);
  self->tray = tray;

  if (!ensure_window_class (instance))
    {
      g_message ("Cannot register the tray window class (error %lu)", GetLastError ());
      return self;
    }

  /* A hidden top-level window, not a message-only one: only top-level
   * windows receive the TaskbarCreated broadcast. GDK's message pump
   * dispatches its messages along with its own windows'. */
  self->hwnd = CreateWindowExW (0, WINDOW_CLASS, L"", WS_OVERLAPPED, 0, 0, 0, 0,
                                NULL, NULL, instance, NULL);
  if (self->hwnd == NULL)
    {
      g_message ("Cannot create the tray window (error %lu)", GetLastError ());
      return self;
    }
  SetWindowLongPtrW (self->hwnd, GWLP_USERDATA, (LONG_PTR) self);
  self->taskbar_created = RegisterWindowMessageW (L"TaskbarCreated");

  g_signal_connect_object (tray, "changed", G_CALLBACK (on_tray_changed), self, 0);
  update_icon (self);
  add_icon (self);

  return self;
}

static void
umt_tray_win32_dispose (GObject *object)
{
  UmtTrayWin32 *self = UMT_TRAY_WIN32 (object);

  if (self->hwnd != NULL)
    {
      NOTIFYICONDATAW data = { 0 };

      if (self->added)
        {
          data.cbSize = sizeof data;
          data.hWnd = self->hwnd;
          data.uID = TRAY_ICON_ID;
          Shell_NotifyIconW (NIM_DELETE, &data);
          self->added = FALSE;
        }
      SetWindowLongPtrW (self->hwnd, GWLP_USERDATA, 0);
      DestroyWindow (self->hwnd);
      self->hwnd = NULL;
    }
  if (self->icon != NULL)
    {
      DestroyIcon (self->icon);
      self->icon = NULL;
    }

  G_OBJECT_CLASS (umt_tray_win32_parent_class)->dispose (object);
}

static void
umt_tray_win32_class_init (UmtTrayWin32Class *klass)
{
  G_OBJECT_CLASS (klass)->dispose = umt_tray_win32_dispose;
}

static void
umt_tray_win32_init (UmtTrayWin32 *self)
{
}

GObject *
umt_tray_backend_new (UmtTray *tray)
{
  return G_OBJECT (umt_tray_win32_new (tray));
}
